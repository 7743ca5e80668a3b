"use client";

import { useId, useRef } from "react";
import { SettingsHeader } from "@/components/settings-header";
import { buttonVariants } from "@/components/ui/button-variants";
import { BlockedPeople } from "./blocked-people";
import { ChangePasswordForm } from "./change-password-form";
import { DeleteAccount } from "./delete-account";
import { PrivacyForm, ProfileForm } from "./profile-form";
import { SignOutEverywhere } from "./sign-out-everywhere";

/**
 * The account page: profile (name, "about"); privacy (last seen); the people one blocked; change the password; sign out
 * everywhere; download one's data; delete the account.
 */
export function AccountSettings() {
  const profileId = useId();
  const privacyId = useId();
  const blockedId = useId();
  const blockedHeadingRef = useRef<HTMLHeadingElement>(null);
  const passwordId = useId();
  const everywhereId = useId();
  const deleteId = useId();
  const exportId = useId();
  return (
    <div className="flex min-h-0 flex-1 flex-col">
      <SettingsHeader title="Account" />
      <div className="min-h-0 flex-1 overflow-y-auto">
        <div className="mx-auto flex w-full max-w-2xl flex-col gap-10 px-4 py-6 md:px-8 md:py-8">
          <section aria-labelledby={profileId} className="flex flex-col gap-3">
            <h2 id={profileId} className="text-base font-semibold">
              Profile
            </h2>
            <p className="text-sm leading-6 text-zinc-600 dark:text-zinc-400">What people see on your profile card.</p>
            <ProfileForm />
          </section>
          <section aria-labelledby={privacyId} className="flex flex-col gap-3">
            <h2 id={privacyId} className="text-base font-semibold">
              Privacy
            </h2>
            <PrivacyForm />
          </section>
          <section aria-labelledby={blockedId} className="flex flex-col gap-3">
            <h2 id={blockedId} ref={blockedHeadingRef} tabIndex={-1} className="text-base font-semibold outline-none">
              Blocked people
            </h2>
            <p className="text-sm leading-6 text-zinc-600 dark:text-zinc-400">
              They can&apos;t start a conversation with you, write in your direct conversation or add you to groups,
              and neither of you sees when the other is online or typing. They aren&apos;t told.
            </p>
            <BlockedPeople headingRef={blockedHeadingRef} />
          </section>
          <section aria-labelledby={passwordId} className="flex flex-col gap-3">
            <h2 id={passwordId} className="text-base font-semibold">
              Change password
            </h2>
            <p className="text-sm leading-6 text-zinc-600 dark:text-zinc-400">
              Your other browser sessions are signed out; this one stays signed in, and your API tokens keep working.
            </p>
            <ChangePasswordForm />
          </section>
          <section aria-labelledby={everywhereId} className="flex flex-col gap-3">
            <h2 id={everywhereId} className="text-base font-semibold">
              Sign out everywhere
            </h2>
            <p className="text-sm leading-6 text-zinc-600 dark:text-zinc-400">
              Ends every session in every browser, this one included, and revokes all your API tokens. Use it when a
              device or a token may be in someone else&apos;s hands.
            </p>
            <SignOutEverywhere />
          </section>
          <section aria-labelledby={exportId} className="flex flex-col gap-3">
            <h2 id={exportId} className="text-base font-semibold">
              Download your data
            </h2>
            <p className="text-sm leading-6 text-zinc-600 dark:text-zinc-400">
              One JSON file with your account and every conversation you are in, with all its messages.
            </p>
            {/* A plain download: the browser sends the session cookie, and the answer says it is an attachment. */}
            <a href="/api/users/me/export" download className={buttonVariants({ variant: "secondary", className: "self-start" })}>
              Download my data
            </a>
          </section>
          <section aria-labelledby={deleteId} className="flex flex-col gap-3">
            <h2 id={deleteId} className="text-base font-semibold">
              Delete account
            </h2>
            <p className="text-sm leading-6 text-zinc-600 dark:text-zinc-400">
              Your profile, sessions and API tokens go. The messages you sent stay in the others&apos; conversations,
              under &ldquo;Deleted user&rdquo;: delete any you want gone first.
            </p>
            <DeleteAccount />
          </section>
        </div>
      </div>
    </div>
  );
}
