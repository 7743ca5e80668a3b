"use client";

import { useRef } from "react";
import { Dialog, DialogContent } from "@/components/ui/dialog";
import { PeoplePicker } from "./people-picker";

/**
 * The modal dialog of "New conversation" and "New group": the people picker (search, and for a group its title) in
 * a dialog labelled by the picker's heading, the search box (or the title) focused on opening. Loaded with the first
 * opening, not with the page (components/chat/new-conversation-dialog.tsx).
 * @param id the popup's id, which the opening button names in `aria-controls`
 * @param finalFocus the opening button, which gets the focus back when the dialog closes
 */
export function PickerDialog({
  open,
  onOpenChange,
  meId,
  mode,
  id,
  finalFocus,
}: {
  open: boolean;
  onOpenChange: (open: boolean) => void;
  meId: string;
  mode: "conversation" | "group";
  id: string;
  finalFocus: React.RefObject<HTMLButtonElement | null>;
}) {
  const inputRef = useRef<HTMLInputElement>(null);
  return (
    <Dialog open={open} onOpenChange={onOpenChange}>
      <DialogContent id={id} initialFocus={inputRef} finalFocus={finalFocus} className="flex max-h-[calc(100dvh-1.5rem)] flex-col sm:max-h-[76dvh]">
        {/* Mounted only while open (the popup leaves the page when closed): every opening starts afresh. */}
        <PeoplePicker meId={meId} inputRef={inputRef} onClose={() => onOpenChange(false)} mode={mode} />
      </DialogContent>
    </Dialog>
  );
}
