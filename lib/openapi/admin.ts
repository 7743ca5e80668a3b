import { z } from "zod";
import {
  adminMessage,
  adminMessagesQuery,
  adminReport,
  adminReportsQuery,
  adminStats,
  adminThread,
  adminThreadsQuery,
  adminUser,
  adminUserDetail,
  adminUsersQuery,
  auditEntry,
  auditLogQuery,
  passwordResetBody,
  reasonBody,
  resolveReportBody,
  temporaryPassword,
  updateAdminUserBody,
} from "../schemas/admin";
import { idParams, page } from "../schemas/common";
import { defineOperation } from "./operation";

/**
 * The admin area's operations (tag Admin). `auth: "admin"`: only active admins reach them; to anyone else (anonymous,
 * members, suspended accounts, bad credentials) they answer 404 like an unknown path (lib/api/handler.ts).
 */

const params = (what: string) => z.object({ id: idParams.shape.id.meta({ description: `The ${what}'s id.` }) });

export const getAdminStats = defineOperation({
  method: "GET",
  path: "/api/admin/stats",
  operationId: "getAdminStats",
  summary: "Overview figures",
  description: "People, conversations, messages, active people in the last 24 hours and 7 days, open reports, and messages per day over the last 30 days.",
  tag: "Admin",
  auth: "admin",
  ok: { 200: { description: "The figures.", schema: adminStats } },
});

export const listAdminUsers = defineOperation({
  method: "GET",
  path: "/api/admin/users",
  operationId: "listAdminUsers",
  summary: "Find people",
  description: "By username; `q` matches part of a username or name; `status` narrows to active, suspended, deleted accounts or admins.",
  tag: "Admin",
  auth: "admin",
  query: adminUsersQuery,
  ok: { 200: { description: "A page of people.", schema: page(adminUser).meta({ id: "AdminUserPage" }) } },
});

export const getAdminUser = defineOperation({
  method: "GET",
  path: "/api/admin/users/{id}",
  operationId: "getAdminUser",
  summary: "One person",
  description: "Details, conversations and messages counts, reports against them, current sign-ins and API tokens.",
  tag: "Admin",
  auth: "admin",
  params: params("user"),
  ok: { 200: { description: "The person.", schema: adminUserDetail } },
});

export const updateAdminUser = defineOperation({
  method: "PATCH",
  path: "/api/admin/users/{id}",
  operationId: "updateAdminUser",
  summary: "Grant or revoke admin, suspend or unsuspend",
  description:
    "`role` grants or revokes the admin role; `suspended: true` (with `reason`, which the person is shown when they try to sign in) ends every session and token of theirs on every instance and keeps them out; `suspended: false` lets them sign in again (their old sessions and tokens stay ended). Each change is audited; asking for the current state changes nothing.",
  tag: "Admin",
  auth: "admin",
  params: params("user"),
  body: updateAdminUserBody,
  ok: { 200: { description: "The person as they now are.", schema: adminUserDetail } },
  errors: { 409: "It would leave no active admin, or you would suspend yourself." },
});

export const deleteAdminUser = defineOperation({
  method: "DELETE",
  path: "/api/admin/users/{id}",
  operationId: "deleteAdminUser",
  summary: "Delete an account",
  description: "As the person could themselves (`DELETE /api/users/me`): a tombstone named \"Deleted user\" keeps their messages in others' conversations. Audited with the reason.",
  tag: "Admin",
  auth: "admin",
  params: params("user"),
  body: reasonBody,
  ok: { 204: { description: "Deleted." } },
  errors: { 409: "Your own account (delete it from your settings), or the last active admin." },
});

export const resetUserPassword = defineOperation({
  method: "POST",
  path: "/api/admin/users/{id}/password-reset",
  operationId: "resetUserPassword",
  summary: "Set a temporary password",
  description:
    "Ends every session and token of the person and sets a random temporary password, answered once and never again. After signing in with it they must choose a new password. Audited.",
  tag: "Admin",
  auth: "admin",
  params: params("user"),
  body: passwordResetBody,
  ok: { 200: { description: "The temporary password.", schema: temporaryPassword } },
  errors: { 409: "Your own account: change your password from your settings." },
});

export const listAdminThreads = defineOperation({
  method: "GET",
  path: "/api/admin/threads",
  operationId: "listAdminThreads",
  summary: "Find conversations",
  description: "Newest first; `q` matches part of a group's title or of a member's username or name. Members only: messages are read with `listAdminThreadMessages`.",
  tag: "Admin",
  auth: "admin",
  query: adminThreadsQuery,
  ok: { 200: { description: "A page of conversations.", schema: page(adminThread).meta({ id: "AdminThreadPage" }) } },
});

export const getAdminThread = defineOperation({
  method: "GET",
  path: "/api/admin/threads/{id}",
  operationId: "getAdminThread",
  summary: "One conversation",
  tag: "Admin",
  auth: "admin",
  params: params("thread"),
  ok: { 200: { description: "The conversation and its members.", schema: adminThread } },
});

export const listAdminThreadMessages = defineOperation({
  method: "GET",
  path: "/api/admin/threads/{id}/messages",
  operationId: "listAdminThreadMessages",
  summary: "Read a conversation's messages (audited)",
  description:
    "Newest first, removed messages with their text. Needs `reason`: every page read is written to the audit log with it before it is answered. Since it writes, another site's page cannot make the request with your cookie.",
  tag: "Admin",
  auth: "admin",
  sameOrigin: true,
  params: params("thread"),
  query: adminMessagesQuery,
  ok: { 200: { description: "A page of messages.", schema: page(adminMessage).meta({ id: "AdminMessagePage" }) } },
});

export const removeMessage = defineOperation({
  method: "DELETE",
  path: "/api/admin/messages/{id}",
  operationId: "removeMessage",
  summary: "Remove a message",
  description:
    "The message stays in its conversation as \"Removed by a moderator\" (`kind: \"removed\"`, no text), live for everyone in it; whoever had not read it loses it from their unread counts. Its open reports are resolved. Audited with the reason.",
  tag: "Admin",
  auth: "admin",
  params: params("message"),
  body: reasonBody,
  ok: { 204: { description: "Removed." } },
  errors: { 409: "A group's system entry, or a message already removed." },
});

export const listReports = defineOperation({
  method: "GET",
  path: "/api/admin/reports",
  operationId: "listReports",
  summary: "The reports queue",
  description: "Open reports oldest first (the default), or resolved ones newest first; each with its message in context.",
  tag: "Admin",
  auth: "admin",
  query: adminReportsQuery,
  ok: { 200: { description: "A page of reports.", schema: page(adminReport).meta({ id: "AdminReportPage" }) } },
});

export const getReport = defineOperation({
  method: "GET",
  path: "/api/admin/reports/{id}",
  operationId: "getReport",
  summary: "One report",
  tag: "Admin",
  auth: "admin",
  params: params("report"),
  ok: { 200: { description: "The report.", schema: adminReport } },
});

export const resolveReport = defineOperation({
  method: "POST",
  path: "/api/admin/reports/{id}/resolution",
  operationId: "resolveReport",
  summary: "Resolve a report",
  description:
    "`remove_message`, `suspend_sender` or `dismiss`, with a reason. Every open report of the same message is resolved the same way. Audited.",
  tag: "Admin",
  auth: "admin",
  params: params("report"),
  body: resolveReportBody,
  ok: { 200: { description: "The report, resolved.", schema: adminReport } },
  errors: { 409: "It was resolved already, or the suspension is refused (the last admin, or yourself)." },
});

export const listAuditLog = defineOperation({
  method: "GET",
  path: "/api/admin/audit-log",
  operationId: "listAuditLog",
  summary: "The audit log",
  description: "Every admin action, newest first; append-only.",
  tag: "Admin",
  auth: "admin",
  query: auditLogQuery,
  ok: { 200: { description: "A page of entries.", schema: page(auditEntry).meta({ id: "AuditEntryPage" }) } },
});
