import { z } from "zod";
import { clearableText, cursor, id, limit, timestamp } from "./common";
import { DELETED_USERNAME_PREFIX } from "./constants";
import { message } from "./messages";
import { presence } from "./presence";
import { thread } from "./threads";

export { DELETED_USERNAME_PREFIX };

/** Usernames: 3–32 of `[a-z0-9_]`, compared case-insensitively (input is lowercased). */
export const username = z
  .string()
  .trim()
  .toLowerCase()
  .regex(/^[a-z0-9_]{3,32}$/, "Use 3–32 letters, digits or underscores.")
  .refine((u) => !u.startsWith(DELETED_USERNAME_PREFIX), `Usernames starting with ${DELETED_USERNAME_PREFIX} are reserved.`);

/** Passwords: at least 8 characters; at most 256 so hashing cost stays bounded. */
export const password = z
  .string()
  .min(8, "Use at least 8 characters.")
  .max(256, "Use at most 256 characters.");

export const displayName = z.string().trim().min(1, "Name cannot be empty.").max(64, "Use at most 64 characters.");

export const registerBody = z.strictObject({
  username,
  password,
  name: displayName.optional(),
  email: z.email().max(254).toLowerCase().optional(),
});

/** Longest "about" line, in Unicode code points after trimming. */
export const MAX_ABOUT_LENGTH = 200;

export const about = clearableText(MAX_ABOUT_LENGTH);

export const updateMeBody = z
  .strictObject({
    name: displayName.nullable().optional(),
    about: about.optional(),
    hideLastSeen: z.boolean().optional().meta({ description: "Hide your last-seen time from others; you then see nobody's either." }),
  })
  .refine((b) => b.name !== undefined || b.about !== undefined || b.hideLastSeen !== undefined, "Change `name`, `about` or `hideLastSeen`.");

export const changePasswordBody = z.strictObject({
  currentPassword: z.string().min(1, "Enter your current password.").max(256, "Use at most 256 characters."),
  newPassword: password,
});

export const deleteAccountBody = z.strictObject({
  password: z.string().min(1, "Enter your password.").max(256, "Use at most 256 characters."),
});

/** What signing out everywhere ended. */
export const signedOut = z
  .object({
    sessions: z.number().int().min(0).meta({ description: "Browser sessions ended, the caller's included." }),
    tokens: z.number().int().min(0).meta({ description: "API tokens revoked." }),
  })
  .meta({ id: "SignedOut" });

export const searchUsersQuery = z.object({
  q: z.string().trim().max(64).optional(),
  limit: limit(20),
  cursor,
});

/** A user as anyone may see them. */
export const publicUser = z
  .object({
    id,
    username: z.string(),
    name: z.string().nullable(),
    createdAt: timestamp,
  })
  .meta({ id: "User" });

/** A person's profile card: adds their "about" line, their presence as the caller may see it, and whether the caller blocked them. */
export const userProfile = publicUser
  .extend({
    about: z.string().nullable(),
    presence,
    blocked: z.boolean().meta({ description: "Whether you blocked this person (`PUT /api/users/me/blocks/{userId}`)." }),
  })
  .meta({ id: "UserProfile" });

/** The caller's own account: adds the e-mail address, the "about" line and the privacy setting. */
export const me = publicUser
  .extend({ email: z.string().nullable(), about: z.string().nullable(), hideLastSeen: z.boolean() })
  .meta({ id: "Me" });

export type PublicUser = z.infer<typeof publicUser>;
export type Me = z.infer<typeof me>;
export type UserProfile = z.infer<typeof userProfile>;
export type UpdateMeInput = z.infer<typeof updateMeBody>;
export type RegisterInput = z.infer<typeof registerBody>;
export type ChangePasswordInput = z.infer<typeof changePasswordBody>;
export type SignedOut = z.infer<typeof signedOut>;
export type DeleteAccountInput = z.infer<typeof deleteAccountBody>;

/**
 * The caller's data (`GET /api/users/me/export`): their account, and every thread they take part in with all its
 * messages, oldest first, as they see them.
 */
export const accountExport = z
  .object({
    exportedAt: timestamp,
    account: me,
    threads: z.array(thread.extend({ messages: z.array(message) }).meta({ id: "ExportedThread" })),
  })
  .meta({ id: "AccountExport" });

