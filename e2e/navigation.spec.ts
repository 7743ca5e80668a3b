import type { APIRequestContext, Locator, Page } from "@playwright/test";
import { as, expect, isNarrow, openThread, type Person, sendFromComposer, test } from "./fixtures";

// Unread navigation (issue 18): a conversation opens at its first unread message under a "New messages" divider, only
// what has been on screen is marked read, "Jump to first unread" brings the divider back, and a jump to an old message
// loads the window around it, from which "Jump to present" returns.

type Sent = { id: string; seq: number; text: string };

async function send(request: APIRequestContext, who: Person, threadId: string, text: string, replyToId?: string): Promise<Sent> {
  const res = await request.post(`/api/threads/${threadId}/messages`, {
    headers: { authorization: `Bearer ${who.token}` },
    data: replyToId ? { text, replyToId } : { text },
  });
  expect(res.status()).toBe(201);
  return res.json();
}

async function markAllRead(request: APIRequestContext, who: Person, threadId: string) {
  const res = await request.post(`/api/threads/${threadId}/read`, { headers: { authorization: `Bearer ${who.token}` }, data: {} });
  expect(res.status()).toBe(200);
}

/** `who`'s unread count in one thread, as the server has it. */
async function serverUnread(request: APIRequestContext, who: Person, threadId: string): Promise<number> {
  const res = await request.get("/api/unread", { headers: { authorization: `Bearer ${who.token}` } });
  const body = (await res.json()) as { threads: { threadId: string; count: number }[] };
  return body.threads.find((t) => t.threadId === threadId)?.count ?? 0;
}

/**
 * Of the messages whose text is `<prefix> <n>`, the highest n entirely on screen in the log (certainly seen) and the
 * highest n with any part on screen (possibly seen: the page counts a bubble once three quarters of it were shown).
 */
async function onScreen(log: Locator, prefix: string): Promise<{ whole: number; some: number }> {
  return log.evaluate((el, prefix) => {
    const view = el.getBoundingClientRect();
    let whole = 0;
    let some = 0;
    for (const node of el.querySelectorAll<HTMLElement>('[data-testid="message"]')) {
      const match = new RegExp(`^${prefix} (\\d+)$`).exec(node.textContent?.trim() ?? "");
      if (!match) continue;
      const n = Number(match[1]);
      const box = node.getBoundingClientRect();
      if (box.bottom > view.top && box.top < view.bottom) some = Math.max(some, n);
      if (box.top >= view.top && box.bottom <= view.bottom) whole = Math.max(whole, n);
    }
    return { whole, some };
  }, prefix);
}

const message = (page: Page, text: string) => page.getByTestId("message").filter({ hasText: new RegExp(`^${text}$`) });

test.describe("unread navigation", () => {
  test("a conversation opens at its first unread message, and only what was on screen is marked read", async ({ people, request }) => {
    test.slow();
    const [alice, bob] = await people("Alice", "Bob");
    const threadId = await as(request, alice).createThread(bob);
    for (let i = 1; i <= 10; i++) await send(request, alice, threadId, `Earlier ${i}`);
    await markAllRead(request, bob, threadId);
    // Sent one after another, so that "Unread n" is the n-th unread message.
    for (let i = 1; i <= 80; i++) await send(request, alice, threadId, `Unread ${i}`);
    await expect.poll(() => serverUnread(request, bob, threadId)).toBe(80);

    await bob.page.reload();
    await openThread(bob.page, threadId);
    const log = bob.page.getByTestId("message-list");
    const divider = log.getByTestId("unread-divider");

    // It opens at the first unread message (more than a page back), under the divider, not at the bottom.
    await expect(divider).toBeInViewport();
    await expect(message(bob.page, "Unread 1")).toBeInViewport();
    await expect(message(bob.page, "Unread 80")).not.toBeInViewport();
    const [dividerBox, firstBox] = await Promise.all([divider.boundingBox(), message(bob.page, "Unread 1").boundingBox()]);
    expect(dividerBox!.y).toBeLessThan(firstBox!.y);
    await expect(log.locator('[data-testid="unread-divider"] + * [data-testid="message"]')).toHaveText("Unread 1");

    // What is on screen is read, nothing below it: the server's count is what is left under the view.
    let seen = await onScreen(log, "Unread");
    expect(seen.some).toBeLessThan(80);
    await expect.poll(() => serverUnread(request, bob, threadId)).toBeLessThanOrEqual(80 - seen.whole);
    const afterLanding = await serverUnread(request, bob, threadId);
    expect(afterLanding).toBeGreaterThanOrEqual(80 - seen.some);
    if (!isNarrow(bob.page)) {
      // The list's badge shows the same, not zero.
      await expect(bob.page.locator(`[data-testid="thread-item"][data-thread-id="${threadId}"]`)).toHaveAttribute(
        "data-unread",
        String(afterLanding),
      );
    }

    // Reading on part of the way marks read up to there.
    await log.evaluate((el) => el.scrollBy({ top: el.clientHeight * 1.5 }));
    await expect.poll(async () => (await onScreen(log, "Unread")).whole).toBeGreaterThan(seen.some);
    seen = await onScreen(log, "Unread");
    expect(seen.some).toBeLessThan(80);
    await expect.poll(() => serverUnread(request, bob, threadId)).toBeLessThanOrEqual(80 - seen.whole);
    const partWay = await serverUnread(request, bob, threadId);
    expect(partWay).toBeGreaterThanOrEqual(80 - seen.some);
    expect(partWay).toBeLessThan(afterLanding);
    expect(partWay).toBeGreaterThan(0);

    // At the bottom everything is read; the divider stays where it was put.
    await log.evaluate((el) => el.scrollTo({ top: el.scrollHeight }));
    await expect(message(bob.page, "Unread 80")).toBeInViewport();
    await expect.poll(() => serverUnread(request, bob, threadId)).toBe(0);
    await expect(divider).toHaveCount(1);
    await expect(log.locator('[data-testid="unread-divider"] + * [data-testid="message"]')).toHaveText("Unread 1");

    // "N new messages" at the top of the log while the divider is above the view brings it back.
    const pill = bob.page.getByRole("button", { name: /jump to the first unread/ });
    await expect(pill).toBeVisible();
    await expect(pill).toContainText("80 new messages");
    await pill.click();
    await expect(divider).toBeInViewport();
    await expect(message(bob.page, "Unread 1")).toBeInViewport();
    await expect(pill).toBeHidden();

    // Sending ends the divider.
    await sendFromComposer(bob.page, "All caught up");
    await expect(message(bob.page, "All caught up")).toBeInViewport();
    await expect(divider).toHaveCount(0);

    // Opened again with nothing unread: at the bottom, without a divider.
    await bob.page.reload();
    await expect(message(bob.page, "All caught up")).toBeInViewport();
    await expect(divider).toHaveCount(0);
  });

  test("a jump to an old message loads the window around it, reads only what is shown, and Jump to present returns", async ({
    people,
    request,
  }) => {
    test.slow();
    const [alice, bob] = await people("Alice", "Bob");
    const threadId = await as(request, alice).createThread(bob);
    const sent: Sent[] = [];
    for (let i = 1; i <= 200; i++) sent.push(await send(request, alice, threadId, `Old ${i}`));
    const target = sent[119]!;

    // A link to message 120 of 200, none of them read: the conversation opens there, highlighted, away from the present.
    await bob.page.goto(`/t/${threadId}?m=${target.id}`);
    const log = bob.page.getByTestId("message-list");
    const jumped = log.locator(`[data-message-id="${target.id}"]`);
    await expect(jumped).toBeInViewport();
    await expect(log.locator(`[data-anchor]:has([data-message-id="${target.id}"])`)).toHaveAttribute("data-jump-target", "true");
    await expect(log).toHaveAttribute("data-detached", "true");
    await expect(bob.page).toHaveURL(`/t/${threadId}`);
    const present = bob.page.getByRole("button", { name: "Jump to present" });
    await expect(present).toBeVisible();
    await expect(message(bob.page, "Old 200")).toHaveCount(0);

    // Only up to what is on screen is read (the watermark: everything before it too), not the newest messages.
    const seen = await onScreen(log, "Old");
    expect(seen.whole).toBeGreaterThanOrEqual(120);
    await expect.poll(() => serverUnread(request, bob, threadId)).toBeLessThanOrEqual(200 - seen.whole);
    expect(await serverUnread(request, bob, threadId)).toBeGreaterThanOrEqual(200 - seen.some);

    // Scrolling down loads newer messages below, without pinning to the end of the window.
    const newest = async () => Math.max(...(await onScreenAll(log, "Old")));
    const before = await newest();
    await log.evaluate((el) => el.scrollTo({ top: el.scrollHeight }));
    await expect.poll(newest, { timeout: 15_000 }).toBeGreaterThan(before);

    // Jump to present: the newest messages, at the bottom, and the button goes.
    await present.click();
    await expect(message(bob.page, "Old 200")).toBeInViewport();
    await expect(log).not.toHaveAttribute("data-detached", "true");
    await expect(present).toBeHidden();
    await expect.poll(() => serverUnread(request, bob, threadId)).toBe(0);

    // A reply's quote of a message far back: the same jump, and back again.
    const reply = await send(request, alice, threadId, "About that first one", sent[4]!.id);
    const replyRow = log.locator(`[data-message-id="${reply.id}"]`);
    await expect(replyRow).toBeInViewport();
    await replyRow.getByTestId("reply-quote").click();
    await expect(log.locator(`[data-message-id="${sent[4]!.id}"]`)).toBeInViewport();
    await expect(log).toHaveAttribute("data-detached", "true");
    await present.click();
    await expect(replyRow).toBeInViewport();
    await expect(present).toBeHidden();
  });
});

/** The n of every `<prefix> <n>` message loaded in the log. */
async function onScreenAll(log: Locator, prefix: string): Promise<number[]> {
  return log.evaluate((el, prefix) => {
    const found: number[] = [0];
    for (const node of el.querySelectorAll<HTMLElement>('[data-testid="message"]')) {
      const match = new RegExp(`^${prefix} (\\d+)$`).exec(node.textContent?.trim() ?? "");
      if (match) found.push(Number(match[1]));
    }
    return found;
  }, prefix);
}
