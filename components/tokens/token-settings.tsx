"use client";

import Link from "next/link";
import { useId, useRef, useState } from "react";
import type { CreatedToken } from "@/lib/schemas/tokens";
import { CreateTokenForm } from "./create-token-form";
import { NewTokenSecret } from "./new-token-secret";
import { SettingsHeader } from "@/components/settings-header";
import { TokenList } from "./token-list";

/**
 * The API tokens page: what tokens are for, the form that creates one, the new token's secret (shown once, kept
 * only in this component's state until dismissed), and the list of tokens with their Revoke buttons.
 */
export function TokenSettings() {
  const createId = useId();
  const listId = useId();
  const nameRef = useRef<HTMLInputElement>(null);
  const listHeadingRef = useRef<HTMLHeadingElement>(null);
  const [created, setCreated] = useState<CreatedToken | null>(null);

  return (
    <div className="flex min-h-0 flex-1 flex-col">
      <SettingsHeader title="API tokens" />
      <div className="min-h-0 flex-1 overflow-y-auto">
        <div className="mx-auto flex w-full max-w-2xl flex-col gap-8 px-4 py-6 md:px-8 md:py-8">
          <p className="text-sm leading-6 text-zinc-600 dark:text-zinc-400">
            Tokens let scripts and other apps use the{" "}
            <Link href="/docs" target="_blank" className="font-medium text-indigo-600 hover:underline dark:text-indigo-400">
              Parley API<span className="sr-only"> reference (opens in a new tab)</span>
            </Link>{" "}
            as you: send one as <code className="whitespace-nowrap rounded bg-zinc-100 px-1 py-0.5 font-mono text-[13px] text-zinc-800 dark:bg-zinc-800 dark:text-zinc-200">Authorization: Bearer &lt;token&gt;</code>.
            Anyone holding one can read and send your messages, so revoke those you no longer use.
          </p>

          <section aria-labelledby={createId} className="flex flex-col gap-3">
            <h2 id={createId} className="text-base font-semibold">
              Create a token
            </h2>
            <CreateTokenForm inputRef={nameRef} onCreated={setCreated} />
            {created && (
              <NewTokenSecret
                key={created.id}
                token={created}
                onDismiss={() => {
                  setCreated(null);
                  nameRef.current?.focus();
                }}
              />
            )}
          </section>

          <section aria-labelledby={listId} className="flex flex-col gap-3">
            <h2 id={listId} ref={listHeadingRef} tabIndex={-1} className="text-base font-semibold outline-none">
              Your tokens
            </h2>
            <TokenList headingRef={listHeadingRef} />
          </section>
        </div>
      </div>
    </div>
  );
}
