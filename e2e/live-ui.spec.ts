import { as, expect, openThread, test } from "./fixtures";

test.describe("live updates in the browser", () => {
  test("messages, badges across tabs and typing arrive without a reload", async ({ people, request }) => {
    const [alice, bob] = await people("Alice", "Bob");
    const threadId = await as(request, alice).createThread(bob);
    const bobOther = await bob.context.newPage(); // Bob's second tab
    await bobOther.goto("/");
    for (const page of [bob.page, bobOther]) {
      await page.reload();
      await expect(page.locator("[data-live]")).toHaveAttribute("data-live", "connected");
    }

    // A message from Alice shows up in both of Bob's tabs: the thread's badge, the total and the title.
    await as(request, alice).send(threadId, "Are you there?");
    for (const page of [bob.page, bobOther]) {
      const item = page.locator(`[data-testid="thread-item"][data-thread-id="${threadId}"]`);
      await expect(item.getByTestId("thread-unread")).toHaveText("1");
      await expect(item).toContainText("Are you there?");
      await expect(page.getByTestId("total-unread")).toHaveText("1");
      await expect(page).toHaveTitle("(1) Parley");
    }

    // Bob reads it in one tab; the other tab's badge clears by itself.
    await openThread(bob.page, threadId);
    await expect(bobOther.getByTestId("total-unread")).toHaveCount(0);
    await expect(bobOther).toHaveTitle("Parley");

    // Alice types: Bob sees the indicator, and it goes away when she stops.
    await openThread(alice.page, threadId);
    await expect(alice.page.locator("[data-live]")).toHaveAttribute("data-live", "connected");
    await alice.page.getByRole("textbox", { name: "Message" }).pressSequentially("I was thinking");
    const indicator = bob.page.getByTestId("typing-indicator");
    await expect(indicator).toContainText(`${alice.name.split(" ")[0]} is typing`);
    await expect(indicator).toBeHidden({ timeout: 15_000 });

    // She sends: the message appears in Bob's open conversation, and he has read it (Seen for Alice).
    await alice.page.getByRole("textbox", { name: "Message" }).press("Enter");
    await expect(bob.page.getByTestId("message").filter({ hasText: "I was thinking" })).toBeVisible();
    await expect(alice.page.getByTestId("seen-marker")).toHaveText("Seen");
    await expect(bob.page.locator("[data-live]")).toHaveAttribute("data-live", "connected");
  });

  test("the presence dot turns on while the other person has the app open, and off after they leave", async ({ people, request }) => {
    const [alice, bob] = await people("Alice", "Bob");
    const threadId = await as(request, alice).createThread(bob);
    await alice.page.reload();
    const item = alice.page.locator(`[data-testid="thread-item"][data-thread-id="${threadId}"]`);
    // Bob is signed in with the app open: online (his stream opened when he signed in).
    await expect(item.getByTestId("presence-dot")).toBeVisible();
    await openThread(alice.page, threadId);
    await expect(alice.page.getByTestId("conversation-subtitle")).toHaveText(`@${bob.username} · online`);
    await alice.page.getByRole("button", { name: `Profile of ${bob.name}` }).click();
    await expect(alice.page.getByTestId("profile-presence")).toHaveText("online");
    await alice.page.keyboard.press("Escape");

    // Bob closes the app: his stream ends, and once PRESENCE_TIMEOUT_MS (6 s here) has passed he is offline.
    await bob.context.close();
    await expect(item.getByTestId("presence-dot")).toHaveCount(0, { timeout: 15_000 });
    await expect(alice.page.getByTestId("conversation-subtitle")).toHaveText(`@${bob.username} · last seen just now`);
  });

  test("the typing indicator disappears as soon as the message arrives", async ({ people, request }) => {
    const [alice, bob] = await people("Alice", "Bob");
    const threadId = await as(request, alice).createThread(bob);
    await openThread(alice.page, threadId);
    await openThread(bob.page, threadId);
    await expect(bob.page.locator("[data-live]")).toHaveAttribute("data-live", "connected");
    await expect(alice.page.locator("[data-live]")).toHaveAttribute("data-live", "connected");
    const box = alice.page.getByRole("textbox", { name: "Message" });
    await box.pressSequentially("On my way");
    await expect(bob.page.getByTestId("typing-indicator")).toContainText("is typing");
    await box.press("Enter");
    await expect(bob.page.getByTestId("message").filter({ hasText: "On my way" })).toBeVisible();
    // The message's event ends the indicator in the same update that shows the message, long before its own
    // 6 s expiry: checked once, without waiting.
    expect(await bob.page.getByTestId("typing-indicator").isVisible()).toBe(false);
  });
});
