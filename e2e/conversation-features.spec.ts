import type { APIRequestContext, Page, TestInfo } from "@playwright/test";
import { as, createPerson, expect, openThread, type Person, sendFromComposer, test } from "./fixtures";

// Reactions, replies, mentions in the composer and "Mark unread from here" (issue 18), between two or three people.

/** A message of the open conversation by its id. */
const byId = (page: Page, id: string) => page.locator(`[data-testid="message"][data-message-id="${id}"]`);

/** Sends as `who` through the API, optionally as a reply; answers the message. */
async function send(request: APIRequestContext, who: Person, threadId: string, text: string, replyToId?: string) {
  const res = await request.post(`/api/threads/${threadId}/messages`, {
    headers: { authorization: `Bearer ${who.token}` },
    data: replyToId ? { text, replyToId } : { text },
  });
  expect(res.status()).toBe(201);
  return (await res.json()) as { id: string; text: string };
}

/** Opens a message's actions menu (hovering it first, as its button shows on hover). */
async function openActions(page: Page, message: ReturnType<typeof byId>) {
  await message.hover();
  await message.getByRole("button", { name: "Message actions" }).click();
}

test.describe("conversation features", () => {
  test("reactions: added from the picker, seen live by both, counted, named, taken back", async ({ people, request }) => {
    test.setTimeout(60_000);
    const [alice, bob] = await people("Alice", "Bob");
    const threadId = await as(request, alice).createThread(bob);
    const lunch = await send(request, bob, threadId, "Lunch at noon?");
    // Every request the page makes stays on this origin: the emoji data too.
    const elsewhere: string[] = [];
    const origin = new URL(alice.page.url()).origin;
    alice.page.on("request", (r) => {
      if (!r.url().startsWith(origin) && !r.url().startsWith("data:")) elsewhere.push(r.url());
    });
    await openThread(alice.page, threadId);
    await openThread(bob.page, threadId);
    await expect(alice.page.locator("[data-live]")).toHaveAttribute("data-live", "connected");
    await expect(bob.page.locator("[data-live]")).toHaveAttribute("data-live", "connected");

    // Alice reacts 👍 from the quick row.
    const atAlice = byId(alice.page, lunch.id);
    await atAlice.hover();
    await atAlice.getByRole("button", { name: "Add reaction" }).click();
    const picker = alice.page.getByRole("dialog", { name: "Add reaction" });
    await picker.getByRole("button", { name: "Thumbs up" }).click();
    await expect(picker).toBeHidden();
    const aliceThumbs = atAlice.locator('[data-testid="reaction"][data-emoji="👍"]');
    await expect(aliceThumbs).toHaveText("👍1");
    await expect(aliceThumbs).toHaveAttribute("aria-pressed", "true");

    // Bob sees it arrive, not as his own, and adds his: 2 on both screens.
    const bobThumbs = byId(bob.page, lunch.id).locator('[data-testid="reaction"][data-emoji="👍"]');
    await expect(bobThumbs).toHaveText("👍1");
    await expect(bobThumbs).toHaveAttribute("aria-pressed", "false");
    await bobThumbs.click();
    await expect(bobThumbs).toHaveText("👍2");
    await expect(bobThumbs).toHaveAttribute("aria-pressed", "true");
    await expect(aliceThumbs).toHaveText("👍2");

    // Who reacted: in a tooltip on hover, and in the chip's name.
    await aliceThumbs.hover();
    await expect(alice.page.getByTestId("reactors")).toHaveText(`${bob.name} and you reacted with 👍`);
    await expect(aliceThumbs).toHaveAccessibleName(`👍 2: ${bob.name} and you`);

    // Alice takes hers back: 1 again on both screens, Bob's still his.
    await aliceThumbs.click();
    await expect(aliceThumbs).toHaveText("👍1");
    await expect(aliceThumbs).toHaveAttribute("aria-pressed", "false");
    await expect(bobThumbs).toHaveText("👍1");
    await expect(bobThumbs).toHaveAttribute("aria-pressed", "true");
    // The names go when the pointer does.
    await alice.page.mouse.move(0, 0);
    await expect(alice.page.getByTestId("reactors")).toBeHidden();
    // On a touch screen a long press shows them, and does not also take the reaction back. (Bob's pointer, which
    // pressed the chip, leaves it first: its hover would show them already.)
    await bob.page.mouse.move(0, 0);
    await expect(bob.page.getByTestId("reactors")).toBeHidden();
    await bobThumbs.dispatchEvent("pointerdown", { pointerType: "touch", isPrimary: true, button: 0 });
    await expect(bob.page.getByTestId("reactors")).toHaveText("You reacted with 👍");
    await bobThumbs.dispatchEvent("pointerup", { pointerType: "touch", isPrimary: true, button: 0 });
    await bobThumbs.dispatchEvent("click");
    await expect(bobThumbs).toHaveAttribute("aria-pressed", "true");

    // The full picker, loaded on demand from this origin: search, then pick.
    await atAlice.hover();
    await atAlice.getByRole("button", { name: "Add reaction" }).click();
    await picker.getByRole("button", { name: "More emoji" }).click();
    const search = picker.getByRole("searchbox", { name: "Search emoji" }).or(picker.getByRole("textbox", { name: "Search emoji" }));
    await expect(search).toBeFocused();
    await search.fill("rocket");
    await picker.getByRole("gridcell", { name: /^rocket$/i }).click();
    await expect(picker).toBeHidden();
    await expect(byId(bob.page, lunch.id).locator('[data-testid="reaction"][data-emoji="🚀"]')).toHaveText("🚀1");
    expect(elsewhere).toEqual([]);
  });

  test("touch: a tap on a reaction still drawn as a plain button toggles it, though its popups arrive during the tap", async ({ browser, request }) => {
    // A phone's browser (touch events, coarse pointer), whichever project runs this file.
    const phone = { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true };
    const [alice, bob] = [await createPerson(browser, request, "Alice", phone), await createPerson(browser, request, "Bob", phone)];
    const threadId = await as(request, alice).createThread(bob);
    const lunch = await send(request, bob, threadId, "Lunch at noon?");
    const later = await send(request, bob, threadId, "Or at one?");
    const react = await request.put(`/api/messages/${lunch.id}/reactions/${encodeURIComponent("👍")}`, {
      headers: { authorization: `Bearer ${bob.token}` },
    });
    expect(react.status()).toBe(200);
    await openThread(alice.page, threadId);
    // A tap on another message's bubble opens its actions: the popups' chunk is loaded from then on, while the first
    // message and its chip have not been touched and are still plain buttons.
    await byId(alice.page, later.id).getByTestId("message-text").tap();
    await expect(alice.page.getByRole("menuitem", { name: "Reply" })).toBeVisible();
    await alice.page.keyboard.press("Escape");
    await expect(alice.page.getByRole("menuitem", { name: "Reply" })).toBeHidden();
    // A real tap (touch events, then the browser's pointer, focus and click events) on the plain chip: the focus during
    // the tap must not swap it for the tooltip's button before the click lands.
    const thumbs = byId(alice.page, lunch.id).locator('[data-testid="reaction"][data-emoji="👍"]');
    await expect(thumbs).toHaveText("👍1");
    await thumbs.tap();
    await expect(thumbs).toHaveText("👍2");
    await expect(thumbs).toHaveAttribute("aria-pressed", "true");
    await thumbs.tap();
    await expect(thumbs).toHaveText("👍1");
    await expect(thumbs).toHaveAttribute("aria-pressed", "false");
    await Promise.all([alice.context.close(), bob.context.close()]);
  });

  test("replies: the quote, Escape and ✕, the jump to the original, and an original deleted later", async ({ people, request }) => {
    test.setTimeout(60_000);
    const [alice, bob] = await people("Alice", "Bob");
    const threadId = await as(request, alice).createThread(bob);
    const friday = await send(request, bob, threadId, "Are we still on for Friday?\nI can bring snacks");
    for (let i = 1; i <= 30; i++) await send(request, bob, threadId, `filler ${i}`);
    await openThread(alice.page, threadId);
    await openThread(bob.page, threadId);
    await expect(bob.page.locator("[data-live]")).toHaveAttribute("data-live", "connected");

    // Reply from the menu: the bar names whom it answers and its first line; Escape cancels it, and so does ✕.
    const box = alice.page.getByRole("textbox", { name: "Message" });
    await openActions(alice.page, byId(alice.page, friday.id));
    await alice.page.getByRole("menuitem", { name: "Reply" }).click();
    const bar = alice.page.getByTestId("reply-bar");
    await expect(bar).toContainText(`Replying to ${bob.name}`);
    await expect(bar).toContainText("Are we still on for Friday?");
    await expect(bar).not.toContainText("snacks");
    await expect(box).toBeFocused();
    await box.press("Escape");
    await expect(bar).toBeHidden();
    await openActions(alice.page, byId(alice.page, friday.id));
    await alice.page.getByRole("menuitem", { name: "Reply" }).click();
    await bar.getByRole("button", { name: "Cancel reply" }).click();
    await expect(bar).toBeHidden();

    await openActions(alice.page, byId(alice.page, friday.id));
    await alice.page.getByRole("menuitem", { name: "Reply" }).click();
    // The reply starts once the menu has closed (and given the focus to the composer).
    await expect(bar).toBeVisible();
    await expect(box).toBeFocused();
    await sendFromComposer(alice.page, "Yes, 3pm");
    await expect(bar).toBeHidden();
    const reply = alice.page.locator('[data-testid="message"][data-own="true"][data-status="sent"]').filter({ hasText: "Yes, 3pm" });
    await expect(reply.getByTestId("reply-quote")).toContainText(bob.name);
    await expect(reply.getByTestId("reply-quote")).toContainText("Are we still on for Friday?");

    // Bob sees the reply quote his message ("You"); pressing the quote brings the original into view, highlighted.
    const atBob = bob.page.locator('[data-testid="message"][data-own="false"]').filter({ hasText: "Yes, 3pm" });
    const quote = atBob.getByTestId("reply-quote");
    await expect(quote).toContainText("You");
    await expect(quote).toContainText("Are we still on for Friday?");
    await expect(byId(bob.page, friday.id)).not.toBeInViewport();
    await quote.click();
    await expect(byId(bob.page, friday.id)).toBeInViewport();
    await expect(bob.page.locator(`[data-anchor]:has([data-message-id="${friday.id}"])`)).toHaveAttribute("data-jump-target", "true");

    // A reply to a message its sender then deletes: the quote says so.
    const oops = await send(request, bob, threadId, "Actually, Saturday?");
    const answer = await send(request, alice, threadId, "Saturday works too", oops.id);
    const del = await request.delete(`/api/messages/${oops.id}`, { headers: { authorization: `Bearer ${bob.token}` } });
    expect(del.status()).toBe(204);
    await alice.page.reload();
    await expect(byId(alice.page, answer.id).getByTestId("reply-quote")).toHaveText("Original message deleted");
  });

  test("mentions: the autocomplete with the keyboard inserts @username, and the person mentioned sees it highlighted", async ({ people, request }) => {
    const [alice, bob, carol] = await people("Alice", "Bob", "Carol");
    const group = await as(request, alice).createGroup("Planning", bob, carol);
    await openThread(alice.page, group);
    await openThread(bob.page, group);
    await expect(bob.page.locator("[data-live]")).toHaveAttribute("data-live", "connected");

    const box = alice.page.getByRole("textbox", { name: "Message" });
    const list = alice.page.getByRole("listbox", { name: "People to mention" });
    // A bare @ lists everyone else (not Alice herself).
    await box.pressSequentially("Hi @");
    await expect(list.getByRole("option")).toHaveCount(2);
    await expect(list).not.toContainText(alice.name);
    await expect(box).toHaveAttribute("aria-controls", (await list.getAttribute("id"))!);
    // Narrowed by the start of the display name, case-insensitively; ↓ and ↑ move; Escape closes. (Three letters:
    // the people's names end in four random hex digits, which "ca" or "b" could also start.)
    await box.pressSequentially("car");
    await expect(list.getByRole("option")).toHaveCount(1);
    await expect(list.getByRole("option", { selected: true })).toContainText(carol.name);
    await box.press("Escape");
    await expect(list).toBeHidden();
    // It stays closed for that mention; a new one opens it again.
    await box.pressSequentially("o");
    await expect(list).toBeHidden();
    for (let i = 0; i < 5; i++) await box.press("Backspace");
    await expect(box).toHaveValue("Hi ");
    await box.pressSequentially("@bo");
    await expect(list.getByRole("option")).toHaveCount(1);
    const active = await box.getAttribute("aria-activedescendant");
    await expect(list.getByRole("option", { selected: true })).toHaveAttribute("id", active!);
    await box.press("ArrowDown");
    await expect(list.getByRole("option", { selected: true })).toContainText(bob.name);
    await box.press("Enter");
    await expect(list).toBeHidden();
    await expect(box).toHaveValue(`Hi @${bob.username} `);
    // With the list closed, Enter sends.
    await box.pressSequentially("see you at 3");
    await box.press("Enter");
    await expect(box).toHaveValue("");

    const atBob = bob.page.getByTestId("message").filter({ hasText: "see you at 3" });
    await expect(atBob.getByTestId("mention")).toHaveText(`@${bob.username}`);
    await expect(atBob.getByTestId("mention")).toHaveAttribute("data-self", "true");
  });

  test("mark unread from a message: the badge shows the count, stays while the conversation is open, clears on reopening", async ({ people, request }) => {
    const [alice, bob] = await people("Alice", "Bob");
    const threadId = await as(request, alice).createThread(bob);
    // Somewhere else to go (a direct conversation with Bob is one and the same thread).
    const other = await as(request, alice).createGroup("Elsewhere", bob);
    await send(request, bob, threadId, "one");
    const two = await send(request, bob, threadId, "two");
    await send(request, bob, threadId, "three");
    await openThread(alice.page, threadId);
    const item = alice.page.locator(`[data-testid="thread-item"][data-thread-id="${threadId}"]`);
    await expect(item).toHaveAttribute("data-unread", "0");
    await expect.poll(async () => (await as(request, alice).unread()).total).toBe(0);

    await openActions(alice.page, byId(alice.page, two.id));
    await alice.page.getByRole("menuitem", { name: "Mark unread from here" }).click();
    await expect(item).toHaveAttribute("data-unread", "2");
    await expect(item.getByTestId("thread-unread")).toHaveText("2");
    // A new message arriving while the conversation is open does not mark everything read again.
    await send(request, bob, threadId, "four");
    await expect(alice.page.getByTestId("message").filter({ hasText: "four" })).toBeVisible();
    await expect(item).toHaveAttribute("data-unread", "3");
    // Nothing to wait for here but time: the view's marks are debounced by 400 ms.
    await alice.page.waitForTimeout(1500);
    await expect(item).toHaveAttribute("data-unread", "3");
    expect((await as(request, alice).unread()).total).toBe(3);

    // Opening the conversation again reads it.
    await openThread(alice.page, other);
    await openThread(alice.page, threadId);
    await expect(item).toHaveAttribute("data-unread", "0");
    await expect.poll(async () => (await as(request, alice).unread()).total).toBe(0);
  });

  test("screens: reactions, a reply and a mention; the picker, the reply bar and the suggestions", async ({ people, request }, testInfo) => {
    test.setTimeout(120_000);
    const [alice, bob, carol] = await people("Alice", "Bob", "Carol");
    const group = await as(request, alice).createGroup("Weekend trip", bob, carol);
    const plan = await send(request, bob, group, "Shall we leave Saturday at 8? The forecast looks good and traffic should be light.");
    await send(request, carol, group, `Works for me, @${alice.username} can you drive?`);
    const yes = await send(request, alice, group, "Sure, I'll pick everyone up", plan.id);
    await send(request, bob, group, "Perfect 🙌", yes.id);
    for (const [who, messageId, emoji] of [
      [bob, yes.id, "👍"],
      [carol, yes.id, "👍"],
      [carol, yes.id, "❤️"],
      [alice, plan.id, "😂"],
    ] as const) {
      const res = await request.put(`/api/messages/${messageId}/reactions/${encodeURIComponent(emoji)}`, {
        headers: { authorization: `Bearer ${who.token}` },
      });
      expect(res.status()).toBe(200);
    }
    const page = alice.page;
    await openThread(page, group);
    await expect(byId(page, yes.id).getByTestId("reaction")).toHaveCount(2);

    for (const size of [
      { name: "desktop", width: 1280, height: 800 },
      { name: "phone", width: 390, height: 844 },
    ]) {
      await page.setViewportSize(size);
      await expect(byId(page, yes.id)).toBeVisible();
      await shoot(page, testInfo, `${size.name}-conversation`);

      const target = byId(page, plan.id);
      await target.hover();
      await target.getByRole("button", { name: "Add reaction" }).click();
      const picker = page.getByRole("dialog", { name: "Add reaction" });
      await picker.getByRole("button", { name: "More emoji" }).click();
      await expect(picker.getByRole("gridcell").first()).toBeVisible();
      await shoot(page, testInfo, `${size.name}-picker`);
      await page.keyboard.press("Escape");
      await expect(picker).toBeHidden();

      await openActions(page, target);
      await page.getByRole("menuitem", { name: "Reply" }).click();
      const box = page.getByRole("textbox", { name: "Message" });
      await expect(page.getByTestId("reply-bar")).toBeVisible();
      await expect(box).toBeFocused();
      await box.pressSequentially("Thanks @");
      await expect(page.getByRole("listbox", { name: "People to mention" })).toBeVisible();
      await shoot(page, testInfo, `${size.name}-reply-and-mention`);
      await box.fill("");
      await box.press("Escape");
      await expect(page.getByTestId("reply-bar")).toBeHidden();
    }
  });
});

/** Light and dark screenshots under test-results/screens/, attached to the report (as e2e/screens.spec.ts does). */
async function shoot(page: Page, testInfo: TestInfo, screen: string) {
  for (const colorScheme of ["light", "dark"] as const) {
    await page.emulateMedia({ colorScheme });
    const path = `test-results/screens/conversation-features-${screen}-${colorScheme}.png`;
    await page.screenshot({ path, animations: "disabled" });
    await testInfo.attach(`${screen}-${colorScheme}`, { path, contentType: "image/png" });
  }
  await page.emulateMedia({ colorScheme: "light" });
}
