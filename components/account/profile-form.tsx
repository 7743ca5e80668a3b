"use client";

import { useId, useState } from "react";
import { toast } from "sonner";
import { Button } from "@/components/ui/button";
import { TextField } from "@/components/ui/text-field";
import { ApiError } from "@/lib/client/api";
import { useMe, useUpdateMe } from "@/lib/client/queries";
import { about as aboutSchema, displayName as nameSchema, MAX_ABOUT_LENGTH, type Me } from "@/lib/schemas/users";

/** The profile section of the account page: display name and "about" line, as others see them on the profile card. */
export function ProfileForm() {
  const me = useMe();
  if (!me.data) {
    return me.isError ? (
      <p role="alert" className="text-sm text-zinc-500 dark:text-zinc-400">
        Your profile could not be loaded.
      </p>
    ) : (
      <div aria-busy="true" className="h-32 max-w-sm animate-pulse rounded-xl bg-zinc-100 dark:bg-zinc-800" />
    );
  }
  return <ProfileFields me={me.data} />;
}

function ProfileFields({ me }: { me: Me }) {
  const update = useUpdateMe();
  const [name, setName] = useState(me.name ?? "");
  const [about, setAbout] = useState(me.about ?? "");
  const [error, setError] = useState<{ field: "name" | "about"; text: string } | null>(null);

  const save = (e: React.FormEvent) => {
    e.preventDefault();
    const n = name.trim() === "" ? { success: true as const, data: null } : nameSchema.safeParse(name);
    if (!n.success) return setError({ field: "name", text: n.error.issues[0]?.message ?? "Check the name." });
    const a = aboutSchema.safeParse(about);
    if (!a.success) return setError({ field: "about", text: a.error.issues[0]?.message ?? "Check the text." });
    update.mutate(
      { name: n.data, about: a.data },
      {
        onSuccess: () => toast.success("Profile saved"),
        onError: (err) => toast.error("Your profile was not saved", { description: err instanceof ApiError ? err.detail : undefined }),
      },
    );
  };

  const errorOf = (field: "name" | "about") => (error?.field === field ? error.text : null);

  return (
    <form onSubmit={save} noValidate className="flex max-w-sm flex-col gap-4">
      <TextField
        label="Display name"
        value={name}
        autoComplete="name"
        placeholder={me.username}
        error={errorOf("name")}
        onChange={(e) => {
          setName(e.target.value);
          setError(null);
        }}
      />
      <TextField
        label="About"
        hint={`(up to ${MAX_ABOUT_LENGTH} characters)`}
        value={about}
        placeholder="What you work on, where you are…"
        error={errorOf("about")}
        onChange={(e) => {
          setAbout(e.target.value);
          setError(null);
        }}
      />
      <Button type="submit" variant="secondary" className="self-start" aria-disabled={update.isPending || undefined}>
        Save profile
      </Button>
    </form>
  );
}

/** The privacy section: hide my last-seen time (then I see nobody's either). Saved as soon as it is toggled. */
export function PrivacyForm() {
  const me = useMe();
  const update = useUpdateMe();
  const id = useId();
  const checked = update.isPending ? (update.variables?.hideLastSeen ?? false) : (me.data?.hideLastSeen ?? false);
  return (
    <div className="flex items-start gap-3">
      <input
        id={id}
        type="checkbox"
        disabled={!me.data}
        checked={checked}
        onChange={(e) =>
          update.mutate(
            { hideLastSeen: e.target.checked },
            { onError: (err) => toast.error("The setting was not saved", { description: err instanceof ApiError ? err.detail : undefined }) },
          )
        }
        className="mt-0.5 h-4 w-4 accent-indigo-600"
      />
      <label htmlFor={id} className="text-sm leading-6">
        <span className="font-medium">Hide my last-seen time.</span>{" "}
        <span className="text-zinc-600 dark:text-zinc-400">
          Others see whether you are online, not when you were last. You then see nobody&apos;s last-seen time either.
        </span>
      </label>
    </div>
  );
}
