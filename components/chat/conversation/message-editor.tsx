"use client";

import { useId, useLayoutEffect, useRef, useState } from "react";
import { Button } from "@/components/ui/button";
import { remainingCharacters } from "./composer";

const MAX_HEIGHT_PX = 8 * 24 + 16;

/**
 * Inline editor that takes a message bubble's place. Enter saves, Shift+Enter breaks the line, Escape cancels;
 * "Save" and "Cancel" do the same with the pointer. Saving unchanged text just closes it.
 * @param onSave resolves when saved (the editor then closes); rejects to keep it open (the caller shows a toast)
 */
export function MessageEditor({
  initialText,
  onSave,
  onCancel,
}: {
  initialText: string;
  onSave: (text: string) => Promise<void>;
  onCancel: () => void;
}) {
  const [text, setText] = useState(initialText);
  const [saving, setSaving] = useState(false);
  const ref = useRef<HTMLTextAreaElement>(null);
  const hintId = useId();
  const remaining = remainingCharacters(text);
  const canSave = text.trim().length > 0 && remaining >= 0 && !saving;

  useLayoutEffect(() => {
    const box = ref.current;
    if (!box) return;
    box.style.height = "auto";
    box.style.height = `${Math.min(box.scrollHeight, MAX_HEIGHT_PX)}px`;
  }, [text]);

  useLayoutEffect(() => {
    const box = ref.current;
    if (!box) return;
    box.focus();
    box.setSelectionRange(box.value.length, box.value.length);
  }, []);

  async function save() {
    if (!canSave) return;
    const trimmed = text.trim();
    if (trimmed === initialText.trim()) return onCancel();
    setSaving(true);
    try {
      await onSave(trimmed);
    } catch {
      setSaving(false);
    }
  }

  return (
    <div className="w-80 max-w-full rounded-2xl border border-indigo-300 bg-white p-2 shadow-sm dark:border-indigo-500/60 dark:bg-zinc-900">
      <textarea
        ref={ref}
        aria-label="Edit message"
        aria-describedby={hintId}
        rows={1}
        value={text}
        disabled={saving}
        onChange={(e) => setText(e.target.value)}
        onKeyDown={(e) => {
          if (e.key === "Escape") {
            e.preventDefault();
            e.stopPropagation();
            onCancel();
          } else if (e.key === "Enter" && !e.shiftKey && !e.nativeEvent.isComposing) {
            e.preventDefault();
            void save();
          }
        }}
        className="block w-full resize-none bg-transparent px-1.5 py-1 text-[15px] leading-6 text-zinc-900 outline-none dark:text-zinc-100"
      />
      <div className="mt-1 flex items-center justify-end gap-2">
        <span id={hintId} className="mr-auto px-1.5 text-[11px] text-zinc-500 dark:text-zinc-400">
          {remaining <= 200 ? (
            <span className={remaining < 0 ? "font-medium text-red-600 dark:text-red-400" : ""}>{remaining} characters left</span>
          ) : (
            "Enter to save · Esc to cancel"
          )}
        </span>
        <Button variant="ghost" size="xs" onClick={onCancel} disabled={saving}>
          Cancel
        </Button>
        <Button size="xs" onClick={() => void save()} disabled={!canSave}>
          Save
        </Button>
      </div>
    </div>
  );
}
