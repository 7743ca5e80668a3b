import { z } from "zod";
import { idParams, page } from "../schemas/common";
import { apiToken, createdToken, createTokenBody, listTokensQuery } from "../schemas/tokens";
import { accountExport, changePasswordBody, deleteAccountBody, me, publicUser, registerBody, searchUsersQuery, signedOut, updateMeBody, userProfile } from "../schemas/users";
import { defineOperation } from "./operation";

const userParams = z.object({ id: idParams.shape.id.meta({ description: "The user's id." }) });
const tokenParams = z.object({ id: idParams.shape.id.meta({ description: "The token's id." }) });
const userPage = page(publicUser).meta({ id: "UserPage" });
const tokenPage = page(apiToken).meta({ id: "ApiTokenPage" });

export const searchUsers = defineOperation({
  method: "GET",
  path: "/api/users",
  operationId: "searchUsers",
  summary: "Find users",
  description: "Users whose username or name contains `q`, by username.",
  tag: "Accounts",
  auth: "required",
  query: searchUsersQuery,
  ok: { 200: { description: "A page of users.", schema: userPage } },
});

export const getMe = defineOperation({
  method: "GET",
  path: "/api/users/me",
  operationId: "getMe",
  summary: "Your account",
  tag: "Accounts",
  auth: "required",
  ok: { 200: { description: "Your account.", schema: me } },
});

export const updateMe = defineOperation({
  method: "PATCH",
  path: "/api/users/me",
  operationId: "updateMe",
  summary: "Change your profile or privacy",
  description: "Any of `name`, `about` (`null` clears either) and `hideLastSeen`; the others stay as they are.",
  tag: "Accounts",
  auth: "required",
  body: updateMeBody,
  ok: { 200: { description: "Your account.", schema: me } },
});

export const changePassword = defineOperation({
  method: "POST",
  path: "/api/users/me/password",
  operationId: "changePassword",
  summary: "Change your password",
  description:
    "Needs the current password. Every other browser session of the account ends; the one making the change stays signed in, and API tokens stay valid. Wrong current passwords count against the sign-in limit.",
  tag: "Accounts",
  auth: "required",
  body: changePasswordBody,
  ok: { 204: { description: "Changed." } },
  errors: { 400: "Also when `currentPassword` is wrong (`errors` points at it)." },
  rateLimits: ["writes", "signIn"],
});

export const signOutEverywhere = defineOperation({
  method: "DELETE",
  path: "/api/users/me/credentials",
  operationId: "signOutEverywhere",
  summary: "Sign out everywhere",
  description:
    "Ends every browser session of the account, the caller's included, and revokes every API token: requests and event streams with any of them fail from now on, on every instance.",
  tag: "Accounts",
  auth: "required",
  ok: { 200: { description: "What was ended.", schema: signedOut } },
});

export const deleteAccount = defineOperation({
  method: "DELETE",
  path: "/api/users/me",
  operationId: "deleteAccount",
  summary: "Delete your account",
  description:
    "Needs the password. Every session and token ends; the account becomes a tombstone named \"Deleted user\" (no e-mail, no password, a `deleted_…` username), under which the messages you sent stay in the others' conversations. Nobody can start a conversation with it or find it in search. Wrong passwords count against the sign-in limit.",
  tag: "Accounts",
  auth: "required",
  body: deleteAccountBody,
  ok: { 204: { description: "Deleted." } },
  errors: {
    400: "Also when `password` is wrong (`errors` points at it).",
    409: "You are the instance's last active admin: make someone else an admin first.",
  },
  rateLimits: ["writes", "signIn"],
});

export const exportAccount = defineOperation({
  method: "GET",
  path: "/api/users/me/export",
  operationId: "exportAccount",
  summary: "Download your data",
  description:
    "Your account and every thread you take part in, each with all its messages oldest first, as you see them, in one JSON document sent as a download (`Content-Disposition: attachment`). It is streamed: large accounts take a while.",
  tag: "Accounts",
  auth: "required",
  ok: { 200: { description: "The export.", schema: accountExport } },
});

export const getUser = defineOperation({
  method: "GET",
  path: "/api/users/{id}",
  operationId: "getUser",
  summary: "Get a user's profile card",
  description: "With their \"about\" line and their presence as you may see it.",
  tag: "Accounts",
  auth: "required",
  params: userParams,
  ok: { 200: { description: "The user.", schema: userProfile } },
});

export const register = defineOperation({
  method: "POST",
  path: "/api/auth/register",
  operationId: "register",
  summary: "Create an account",
  tag: "Accounts",
  auth: "none",
  body: registerBody,
  ok: { 201: { description: "The new account.", schema: me, location: true } },
  errors: { 409: "The username is taken." },
  rateLimits: ["signUp"],
});

export const listTokens = defineOperation({
  method: "GET",
  path: "/api/tokens",
  operationId: "listTokens",
  summary: "List your API tokens",
  description: "Newest first, without their secrets.",
  tag: "Accounts",
  auth: "required",
  query: listTokensQuery,
  ok: { 200: { description: "A page of tokens.", schema: tokenPage } },
});

export const createToken = defineOperation({
  method: "POST",
  path: "/api/tokens",
  operationId: "createToken",
  summary: "Create an API token",
  description:
    "With `username` and `password` no session or token is needed (how an integration gets its first token); with only `name`, the caller must be signed in or send a token. The answer is the only time the secret is shown.",
  tag: "Accounts",
  auth: "optional",
  body: createTokenBody,
  ok: { 201: { description: "The token, with its secret.", schema: createdToken, location: true } },
  errors: {
    401: "Wrong username or password, or neither credentials nor a caller.",
    403: "The password is right but an admin suspended the account (the reason is given), or it is a temporary password an admin set (sign in and choose a new one first).",
  },
  rateLimits: ["tokenCreation", "signIn"],
});

export const revokeToken = defineOperation({
  method: "DELETE",
  path: "/api/tokens/{id}",
  operationId: "revokeToken",
  summary: "Revoke an API token",
  description: "Requests with it fail from now on, on every instance.",
  tag: "Accounts",
  auth: "required",
  params: tokenParams,
  ok: { 204: { description: "Revoked." } },
});
