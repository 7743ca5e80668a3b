import AxeBuilder from "@axe-core/playwright";
import { createRequire } from "node:module";
import type { APIRequestContext, Browser, Page, TestInfo } from "@playwright/test";
import { as, expect, openThread, PASSWORD, type Person, promoteToAdmin, signIn, test, uniqueName } from "./fixtures";

// Automated accessibility checks (axe-core) of every page of the app and the dialogs of normal use, in light and dark
// colour schemes (contrast differs), on both projects (desktop and phone: the layouts differ). Each screen must have
// no violation of WCAG 2.0 and 2.1, levels A and AA, nor of axe's best practices. A failure lists each violated
// rule, its impact, what it asks for, and the elements that break it.
//
// axe checks what is in the DOM at the time: each screen is checked once it shows what it is meant to show (waited
// for as the other specs do), after animations and colour transitions have finished.

const TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"];

// Base UI's focus guards: empty, aria-hidden spans with tabindex="0" beside an open popup, which send the focus on as
// soon as they get it. axe flags them (aria-hidden-focus); Base UI and Floating UI call that a false positive
// (mui/base-ui#4668, dequelabs/axe-core#4832, open). Only these spans are left out.
const FOCUS_GUARDS = "[data-base-ui-focus-guard]";

// axe's `region` rule (all content inside landmarks) accepts dialogs as regions of their own (its default matcher is
// below, less our addition): a popup the focus moves into, which closes when it leaves. Our menus (components/ui/
// dropdown-menu.tsx, portalled to <body> like the dialogs) are the same kind of popup, so they count too. Check
// options are set with axe.configure (axe-core's doc/check-options.md), run in the page after axe-core's own source:
// the copy that @axe-core/playwright itself depends on.
const REGION_MATCHER = "dialog, [role=dialog], [role=alertdialog], svg, [role=menu]";
const requireFromAxePlaywright = createRequire(createRequire(import.meta.url).resolve("@axe-core/playwright"));
const AXE_SOURCE = `${(requireFromAxePlaywright("axe-core") as { source: string }).source};axe.configure(${JSON.stringify({
  checks: [{ id: "region", options: { regionMatcher: REGION_MATCHER } }],
})});`;

/** Waits for the styles of the current colour scheme to apply and for finite animations (transitions) to end. */
async function settle(page: Page) {
  await page.evaluate(async () => {
    await new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve)));
    const finite = document.getAnimations().filter((a) => a.effect?.getComputedTiming().endTime !== Infinity);
    await Promise.all(finite.map((a) => a.finished.catch(() => undefined)));
  });
}

/** A part of a page that is not ours, with the rules it breaks that we cannot fix, and why (shown in the report). */
interface ThirdParty {
  selector: string;
  rules: string[];
  why: string;
}

/** The emoji grid of Frimousse (components/chat/conversation/emoji-picker.tsx). */
const FRIMOUSSE: ThirdParty = {
  selector: "[frimousse-list]",
  rules: ["aria-valid-attr-value"],
  why:
    "Frimousse 0.4.0 numbers its rows and cells from 0 (aria-rowindex, aria-colindex), where ARIA counts from 1; " +
    "it finds rows by that attribute to scroll them into view, so renumbering them in our Row component breaks its keyboard navigation",
};

/** Parts of the API reference (Scalar, @scalar/api-reference-react 0.9.74) that no option of it changes. */
const SCALAR: ThirdParty[] = [
  {
    selector: ".scalar-code-copy",
    rules: ["button-name"],
    why: "the copy buttons of Scalar's code blocks hold an icon and no text or aria-label",
  },
  {
    selector: ".scalar-app .endpoints",
    rules: ["scrollable-region-focusable"],
    why:
      "Scalar's list of a tag's operations (which scrolls sideways on a phone) is made of <a> elements without href, " +
      "which cannot take the focus; the sidebar's links lead to the same operations",
  },
];

function describeViolations(violations: Awaited<ReturnType<AxeBuilder["analyze"]>>["violations"]): string[] {
  return violations.map(
    (v) =>
      `${v.id} (${v.impact}): ${v.help} — ${v.helpUrl}\n` +
      v.nodes
        .map((n) => `    at ${n.target.join(" ")} ${n.html.slice(0, 160)}: ${(n.failureSummary ?? "").replace(/\s*\n\s*/g, " ")}`)
        .join("\n"),
  );
}

// The colour scheme changes colours only, never the DOM (no component reads it but a highlight's colour): the dark
// pass runs the rules whose outcome depends on colours, the light pass all of them.
const COLOR_RULES = ["color-contrast", "link-in-text-block"];

/**
 * axe, set up as every check of this file is. Legacy mode runs axe.run in the page itself, rather than a partial run
 * per frame finished in a new blank page: the app has no cross-origin frames, which is all it gives up, and each
 * check takes about half the time.
 */
function axe(page: Page, colorScheme: "light" | "dark") {
  const builder = new AxeBuilder({ page, axeSource: AXE_SOURCE }).setLegacyMode().exclude(FOCUS_GUARDS);
  return colorScheme === "light" ? builder.withTags(TAGS) : builder.withRules(COLOR_RULES);
}

/**
 * Runs axe on the page as it is, in light and then dark colour scheme, and records (softly, so that one run lists
 * every screen's violations) that there are none. Each third-party part is checked on its own, less the rules it is
 * known to break. Leaves the page in the light scheme.
 */
async function expectAccessible(page: Page, testInfo: TestInfo, screen: string, thirdParty: ThirdParty[] = []) {
  for (const colorScheme of ["light", "dark"] as const) {
    await page.emulateMedia({ colorScheme });
    await settle(page);
    const whole = axe(page, colorScheme);
    for (const part of thirdParty) whole.exclude(part.selector);
    const found = describeViolations((await whole.analyze()).violations);
    for (const part of thirdParty) {
      if ((await page.locator(part.selector).count()) === 0) continue;
      const note = `${part.selector} is checked without ${part.rules.join(", ")}: ${part.why}`;
      if (!testInfo.annotations.some((a) => a.description === note)) testInfo.annotations.push({ type: "accessibility exception", description: note });
      const inside = axe(page, colorScheme).include(part.selector).disableRules(part.rules);
      found.push(...describeViolations((await inside.analyze()).violations));
    }
    expect.soft(found, `accessibility violations on ${screen} (${testInfo.project.name}, ${colorScheme})`).toEqual([]);
  }
  await page.emulateMedia({ colorScheme: "light" });
}

/** A signed-out browser context with the project's screen. */
async function visitor(browser: Browser, testInfo: TestInfo) {
  const { viewport, isMobile, hasTouch } = testInfo.project.use;
  return browser.newContext(viewport ? { viewport, isMobile, hasTouch } : {});
}

/** Sends as `who`, optionally as a reply; answers the message. */
async function send(request: APIRequestContext, who: Person, threadId: string, text: string, replyToId?: string) {
  const res = await request.post(`/api/threads/${threadId}/messages`, {
    headers: { authorization: `Bearer ${who.token}` },
    data: replyToId ? { text, replyToId } : { text },
  });
  expect(res.status()).toBe(201);
  return (await res.json()) as { id: string };
}

/** Reacts to a message as `who`. */
async function react(request: APIRequestContext, who: Person, messageId: string, emoji: string) {
  const res = await request.put(`/api/messages/${messageId}/reactions/${encodeURIComponent(emoji)}`, {
    headers: { authorization: `Bearer ${who.token}` },
  });
  expect([200, 201]).toContain(res.status());
}

/** A message of the open conversation by its id. */
const byId = (page: Page, id: string) => page.locator(`[data-testid="message"][data-message-id="${id}"]`);

test.describe("accessibility", () => {
  // Each test checks many screens twice (light and dark).
  test.describe.configure({ timeout: 120_000 });

  test("sign-in, sign-up and the not-found page, signed out", async ({ browser, request }, testInfo) => {
    const context = await visitor(browser, testInfo);
    const page = await context.newPage();
    try {
      await page.goto("/sign-in");
      await expect(page.getByRole("button", { name: "Sign in" })).toBeVisible();
      await expectAccessible(page, testInfo, "sign-in");

      // A wrong password: the form says so.
      const username = uniqueName("a11y");
      expect((await request.post("/api/auth/register", { data: { username, password: PASSWORD } })).status()).toBe(201);
      await page.getByLabel("Username").fill(username);
      await page.getByLabel("Password").fill("not the password");
      await page.getByRole("button", { name: "Sign in" }).click();
      await expect(page.getByTestId("form-error")).toBeVisible();
      await expectAccessible(page, testInfo, "sign-in with an error");

      await page.goto("/sign-up");
      await expect(page.getByRole("button", { name: "Create account" })).toBeVisible();
      await expectAccessible(page, testInfo, "sign-up");

      const missing = await page.goto("/no-such-page");
      expect(missing?.status()).toBe(404);
      await expectAccessible(page, testInfo, "not found (signed out)");
    } finally {
      await context.close();
    }
  });

  test("the thread list: empty, with threads, and search results; the new conversation and new group dialogs", async ({
    people,
    request,
  }, testInfo) => {
    const [alice, bob, carol] = await people("Alice", "Bob", "Carol");
    const page = alice.page;
    await expect(page.getByRole("button", { name: "New conversation" }).first()).toBeVisible();
    await expect(page.getByText("No conversations yet.")).toBeVisible();
    await expectAccessible(page, testInfo, "thread list, empty");

    const word = `a11yword${Date.now().toString(36)}`;
    const direct = await as(request, bob).createThread(alice);
    const group = await as(request, alice).createGroup("Release crew", bob, carol);
    await send(request, bob, direct, `The ${word} deployment finished`);
    await send(request, carol, group, `Hey @${alice.username}, the ${word} notes are in`);
    // A group with nothing said yet: its row shows the system entry, in italics.
    const quiet = await as(request, bob).createGroup("Quiet corner", alice);
    await page.reload();
    await expect(page.locator(`[data-testid="thread-item"][data-thread-id="${quiet}"]`)).toBeVisible();
    await expect(page.locator(`[data-testid="thread-item"][data-thread-id="${group}"]`)).toHaveAttribute("data-unread", "1");
    await expect(page.locator(`[data-testid="thread-item"][data-thread-id="${direct}"]`)).toHaveAttribute("data-unread", "1");
    await expectAccessible(page, testInfo, "thread list, with unread threads and a mention");

    // Searching: conversations by name, messages by content.
    await page.getByRole("searchbox", { name: "Search conversations and messages" }).fill(word);
    const results = page.getByTestId("message-search");
    await expect(results).toHaveAttribute("data-q", word);
    await expect(results).toHaveAttribute("aria-busy", "false");
    await expect(results.getByTestId("search-result")).toHaveCount(2);
    await expectAccessible(page, testInfo, "search results");
    await page.getByRole("searchbox", { name: "Search conversations and messages" }).fill(bob.name);
    await expect(page.getByTestId("conversation-search")).toBeVisible();
    await expect(page.getByTestId("message-search")).toHaveAttribute("aria-busy", "false");
    await expectAccessible(page, testInfo, "search results, a conversation by name");
    await page.getByRole("searchbox", { name: "Search conversations and messages" }).fill(`${word}zzz`);
    await expect(results).toHaveAttribute("data-q", `${word}zzz`);
    await expect(results).toHaveAttribute("aria-busy", "false");
    await expect(results.getByText(/No messages match/)).toBeVisible();
    await expectAccessible(page, testInfo, "search without results");
    await page.getByRole("button", { name: "Clear search" }).click();

    await page.getByRole("button", { name: "New conversation" }).first().click();
    const newConversation = page.getByRole("dialog", { name: "New conversation" });
    await newConversation.getByLabel("Search people").fill(carol.name);
    await expect(newConversation.getByRole("button", { name: new RegExp(carol.name) })).toBeVisible();
    await expect(newConversation.getByText(/@(alice|bob)_/)).toHaveCount(0);
    await expectAccessible(page, testInfo, "new conversation dialog");
    await page.keyboard.press("Escape");
    await expect(newConversation).toBeHidden();

    await page.getByRole("button", { name: "New group" }).click();
    const newGroup = page.getByRole("dialog", { name: "New group" });
    await newGroup.getByRole("textbox", { name: "Group title" }).fill("Book club");
    await newGroup.getByLabel("Search people").fill(bob.name);
    await newGroup.getByRole("button", { name: new RegExp(bob.name) }).click();
    await expectAccessible(page, testInfo, "new group dialog");
    await newGroup.getByRole("textbox", { name: "Group title" }).fill("");
    await newGroup.getByRole("button", { name: "Create group" }).click();
    await expect(newGroup.getByText("A group's title cannot be empty.")).toBeVisible();
    await expectAccessible(page, testInfo, "new group dialog, with an error");
  });

  test("conversations: direct and group, with replies, reactions, mentions, Markdown, the unread divider and system entries", async ({
    people,
    request,
  }, testInfo) => {
    const [alice, bob, carol] = await people("Alice", "Bob", "Carol");
    const page = alice.page;
    const direct = await as(request, alice).createThread(bob);
    await send(request, alice, direct, "Morning! Did you see the release notes?");
    const question = await send(request, bob, direct, "Are we still on for **Friday**?\nI can bring _snacks_");
    await send(request, bob, direct, "Notes: `npm run build`, then\n\n```\nnpm start\n```\n\n> quoted\n\n- one\n- two\n\nSee https://example.com/docs");
    const reply = await send(request, bob, direct, `@${alice.username} yes, 3pm works`, question.id);
    await react(request, bob, question.id, "👍");
    await react(request, alice, question.id, "👍");
    await react(request, bob, reply.id, "🎉");

    const group = await as(request, alice).createGroup("Launch plans", bob);
    const added = await request.post(`/api/threads/${group}/participants`, {
      headers: { authorization: `Bearer ${alice.token}` },
      data: { userIds: [carol.id] },
    });
    expect(added.status()).toBe(200);
    await send(request, carol, group, `Thanks for adding me, @${alice.username}!`);
    await send(request, bob, group, "Welcome ~~stranger~~ friend");

    await page.reload();
    await openThread(page, direct);
    await expect(page.getByTestId("unread-divider")).toBeVisible();
    await expect(byId(page, reply.id).getByTestId("reply-quote")).toBeVisible();
    await expect(byId(page, question.id).locator('[data-testid="reaction"][data-emoji="👍"]')).toHaveText("👍2");
    await expect(page.locator("[data-live]")).toHaveAttribute("data-live", "connected");
    await expectAccessible(page, testInfo, "direct conversation");

    // The dialogs and menus of a message.
    const message = byId(page, question.id);
    await message.hover();
    await message.getByRole("button", { name: "Message actions" }).click();
    await expect(page.getByRole("menuitem", { name: "Reply" })).toBeVisible();
    await expectAccessible(page, testInfo, "message actions menu");
    await page.keyboard.press("Escape");
    await expect(page.getByRole("menu")).toBeHidden();

    await message.hover();
    await message.getByRole("button", { name: "Add reaction" }).click();
    const picker = page.getByRole("dialog", { name: "Add reaction" });
    await expect(picker.getByRole("button", { name: "Thumbs up" })).toBeVisible();
    await expectAccessible(page, testInfo, "reaction picker");
    await picker.getByRole("button", { name: "More emoji" }).click();
    await expect(picker.getByRole("gridcell").first()).toBeVisible();
    await expectAccessible(page, testInfo, "emoji picker", [FRIMOUSSE]);
    await page.keyboard.press("Escape");
    await expect(picker).toBeHidden();

    // Who reacted, in a tooltip over a reaction.
    await message.locator('[data-testid="reaction"][data-emoji="👍"]').hover();
    await expect(page.getByTestId("reactors")).toBeVisible();
    await expectAccessible(page, testInfo, "reactors tooltip");

    await page.getByRole("button", { name: `Profile of ${bob.name}` }).first().click();
    const card = page.getByTestId("profile-card");
    await expect(card.getByRole("heading", { name: bob.name })).toBeVisible();
    await expectAccessible(page, testInfo, "profile card");
    await card.getByRole("button", { name: "Block", exact: true }).click();
    const confirm = page.getByRole("alertdialog", { name: `Block ${bob.name}?` });
    await expect(confirm).toBeVisible();
    await expectAccessible(page, testInfo, "block confirmation");
    await page.keyboard.press("Escape");
    await expect(confirm).toBeHidden();
    await page.keyboard.press("Escape");
    await expect(card).toBeHidden();

    // The composer: a reply being written, with mention suggestions open.
    await message.hover();
    await message.getByRole("button", { name: "Message actions" }).click();
    await page.getByRole("menuitem", { name: "Reply" }).click();
    await expect(page.getByTestId("reply-bar")).toBeVisible();
    const box = page.getByRole("textbox", { name: "Message" });
    await expect(box).toBeFocused();
    await box.pressSequentially(`Sure @${bob.username.slice(0, 6)}`);
    await expect(page.getByRole("listbox", { name: "People to mention" })).toBeVisible();
    await expectAccessible(page, testInfo, "composer with a reply and mention suggestions");
    await box.press("Escape");

    await openThread(page, group);
    await expect(page.getByTestId("system-entry").filter({ hasText: `added ${carol.name}` })).toBeVisible();
    await expect(page.getByTestId("message").filter({ hasText: "friend" })).toBeVisible();
    await expectAccessible(page, testInfo, "group conversation");

    await page.getByRole("button", { name: "Group details" }).click();
    const details = page.getByRole("dialog", { name: "Group details" });
    await expect(details.getByTestId("group-member")).toHaveCount(3);
    await expectAccessible(page, testInfo, "group details");
    await details.getByRole("button", { name: `Manage ${bob.name}` }).click();
    await expect(page.getByRole("menuitem", { name: "Make admin" })).toBeVisible();
    await expectAccessible(page, testInfo, "group member menu");
    await page.keyboard.press("Escape");
    await page.keyboard.press("Escape");
    await expect(details).toBeHidden();

    const last = page.getByTestId("message").filter({ hasText: "friend" });
    await last.hover();
    await last.getByRole("button", { name: "Message actions" }).click();
    await page.getByRole("menuitem", { name: "Report message" }).click();
    const report = page.getByRole("dialog", { name: "Report message" });
    await report.getByRole("radio", { name: "Spam" }).check();
    await expectAccessible(page, testInfo, "report dialog");
    await page.keyboard.press("Escape");
    await expect(report).toBeHidden();

    // A conversation Alice is not part of.
    await page.goto(`/t/${await as(request, bob).createThread(carol)}`);
    await expect(page.getByTestId("thread-not-found")).toBeVisible();
    await expectAccessible(page, testInfo, "conversation not found");
  });

  test("settings: account and API tokens", async ({ people }, testInfo) => {
    const [alice] = await people("Alice");
    const page = alice.page;
    await page.goto("/settings/account");
    await expect(page.getByRole("heading", { level: 1, name: "Account" })).toBeVisible();
    await expectAccessible(page, testInfo, "account settings");
    // A field's error, then the confirmation of a deletion (not confirmed).
    const deletion = page.getByRole("button", { name: "Delete account" });
    const password = page.getByLabel("Password", { exact: true }).last();
    await deletion.click();
    await expect(password).toHaveAttribute("aria-invalid", "true");
    await expectAccessible(page, testInfo, "account settings, with an error");
    await password.fill(PASSWORD);
    await deletion.click();
    const confirm = page.getByRole("alertdialog", { name: "Delete your account?" });
    await expect(confirm).toBeVisible();
    await expectAccessible(page, testInfo, "account deletion confirmation");
    await page.keyboard.press("Escape");
    await expect(confirm).toBeHidden();

    await page.goto("/settings/tokens");
    await expect(page.getByRole("heading", { level: 1, name: "API tokens" })).toBeVisible();
    await expect(page.getByTestId("token-item")).toHaveCount(1);
    await page.getByLabel("Token name", { exact: true }).fill("Deploy script");
    await page.getByRole("button", { name: "Create token" }).click();
    await expect(page.getByTestId("new-token")).toBeVisible();
    await expectAccessible(page, testInfo, "API tokens, with a new token shown");
  });

  test("the admin area, as an admin; a temporary password; the admin area's 404 for others", async ({ people, request, browser }, testInfo) => {
    const [alice, bob, dave] = await people("Alice", "Bob", "Dave");
    await promoteToAdmin(dave);
    const thread = await as(request, bob).createThread(alice);
    await send(request, alice, thread, "Are we still on for Friday?");
    const spam = await send(request, bob, thread, "Win a free phone: click spam.example now");
    const report = await request.post(`/api/messages/${spam.id}/reports`, {
      headers: { authorization: `Bearer ${alice.token}` },
      data: { reason: "spam", details: "He sends this to everyone" },
    });
    expect(report.status()).toBe(201);
    const page = dave.page;

    await page.goto("/admin");
    await expect(page.getByRole("heading", { name: "Messages per day" })).toBeVisible();
    await expectAccessible(page, testInfo, "admin dashboard");

    await page.goto(`/admin/people?q=${bob.username}`);
    await expect(page.getByRole("table", { name: "People" }).getByRole("row")).toHaveCount(2);
    await expectAccessible(page, testInfo, "admin people");

    await page.goto(`/admin/people/${bob.id}`);
    await expect(page.getByRole("heading", { level: 1 })).toContainText(bob.name);
    await expectAccessible(page, testInfo, "admin person");

    await page.goto("/admin/conversations");
    await expect(page.getByRole("heading", { level: 1 })).toBeVisible();
    await expectAccessible(page, testInfo, "admin conversations");

    await page.goto(`/admin/conversations/${thread}`);
    const why = page.getByRole("textbox", { name: "Why do you need to read this conversation?" });
    await expect(why).toBeVisible();
    await expectAccessible(page, testInfo, "admin conversation, before reading");
    await why.fill("Checking a spam report");
    await page.getByRole("button", { name: "Read messages" }).click();
    await expect(page.getByTestId("admin-message")).toHaveCount(2);
    await expectAccessible(page, testInfo, "admin conversation, read");

    await page.goto("/admin/reports");
    const item = page.getByTestId("report").filter({ hasText: `@${bob.username}` });
    await expect(item).toHaveCount(1);
    await expectAccessible(page, testInfo, "admin reports");
    await item.getByRole("button", { name: "Remove message" }).click();
    const dialog = page.getByRole("dialog", { name: "Remove the reported message?" });
    await dialog.getByRole("button", { name: "Remove message" }).click();
    await expect(dialog.getByRole("alert")).toBeVisible();
    await expectAccessible(page, testInfo, "admin reason dialog, with an error");
    await page.keyboard.press("Escape");
    await expect(dialog).toBeHidden();

    await page.goto("/admin/audit");
    await expect(page.getByRole("table", { name: "Audit log" })).toContainText("thread.messages_viewed");
    await expectAccessible(page, testInfo, "admin audit log");

    // Someone who is not an admin gets the 404 page.
    const notAdmin = await alice.page.goto("/admin");
    expect(notAdmin?.status()).toBe(404);
    await expectAccessible(alice.page, testInfo, "not found (signed in)");

    // A temporary password from an admin: the screen that replaces it.
    const reset = await request.post(`/api/admin/users/${bob.id}/password-reset`, {
      headers: { authorization: `Bearer ${dave.token}` },
      data: { reason: "Forgot it" },
    });
    expect(reset.status()).toBe(200);
    const { temporaryPassword } = (await reset.json()) as { temporaryPassword: string };
    const { viewport, isMobile, hasTouch } = testInfo.project.use;
    const signedIn = await signIn(browser, bob.username, temporaryPassword, viewport ? { viewport, isMobile, hasTouch } : {});
    try {
      await expect(signedIn.page.getByRole("heading", { level: 1, name: "Choose a new password" })).toBeVisible();
      await expectAccessible(signedIn.page, testInfo, "temporary password screen");
    } finally {
      await signedIn.context.close();
    }
  });

  test("the API reference", async ({ browser }, testInfo) => {
    const context = await visitor(browser, testInfo);
    const page = await context.newPage();
    try {
      await page.goto("/docs");
      await expect(page.getByRole("heading", { name: "Parley API", level: 1 })).toBeVisible();
      await expectAccessible(page, testInfo, "API reference", SCALAR);
      // An operation, with its request and response examples (a link of the sidebar, which a phone hides in a menu).
      await page.goto("/docs#tag/messages/POST/api/threads/{id}/messages");
      await expect(page.getByRole("heading", { name: "Send a message" }).first()).toBeVisible();
      await expect(page.locator(".scalar-code-copy").first()).toBeAttached();
      await expectAccessible(page, testInfo, "API reference, an operation", SCALAR);
    } finally {
      await context.close();
    }
  });
});
