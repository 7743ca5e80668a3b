import { as, expect, openThread, promoteToAdmin, sendFromComposer, test } from "./fixtures";

test.describe("moderation", () => {
  test("a message is reported from its menu, once", async ({ people, request }) => {
    const [alice, bob] = await people("Alice", "Bob");
    const threadId = await as(request, alice).createThread(bob);
    await as(request, alice).send(threadId, "Cheap watches at example.com, today only");
    await as(request, bob).send(threadId, "Please stop sending me these");

    await openThread(bob.page, threadId);
    // His own message offers Edit and Delete, not Report.
    const own = bob.page.getByTestId("message").filter({ hasText: "Please stop" });
    await own.hover();
    await own.getByRole("button", { name: "Message actions" }).click();
    await expect(bob.page.getByRole("menuitem", { name: "Edit" })).toBeVisible();
    await expect(bob.page.getByRole("menuitem", { name: "Report message" })).toHaveCount(0);
    await bob.page.keyboard.press("Escape");

    const message = bob.page.getByTestId("message").filter({ hasText: "Cheap watches" });
    const menuButton = message.getByRole("button", { name: "Message actions" });
    await message.hover();
    await menuButton.click();
    await expect(bob.page.getByRole("menuitem", { name: "Delete" })).toHaveCount(0);
    await bob.page.getByRole("menuitem", { name: "Report message" }).click();
    const dialog = bob.page.getByRole("dialog", { name: "Report message" });
    await expect(dialog).toContainText("Cheap watches at example.com");
    await expect(dialog.getByRole("radio")).toHaveCount(6);

    // No reason: the dialog says so and sends nothing.
    await dialog.getByRole("button", { name: "Send report" }).click();
    await expect(dialog.getByText("Choose a reason.")).toBeVisible();
    await expect(dialog.getByRole("radio", { name: "Spam" })).toBeFocused();
    await dialog.getByRole("radio", { name: "Spam" }).check();
    await dialog.getByRole("textbox", { name: /Details/ }).fill("Third one this week");
    await expect(dialog).toContainText("19/500");
    await dialog.getByRole("button", { name: "Send report" }).click();
    await expect(bob.page.getByText("Reported. Thanks — an admin will look at it.")).toBeVisible();
    await expect(dialog).toBeHidden();
    await expect(menuButton).toBeFocused();

    // Again, with the keyboard alone: the server says it was reported already, and the focus comes back.
    await menuButton.press("Enter");
    await expect(bob.page.getByRole("menuitem", { name: "Report message" })).toBeFocused();
    await bob.page.keyboard.press("Enter");
    await expect(dialog.getByRole("radio", { name: "Spam" })).toBeFocused();
    await bob.page.keyboard.press("ArrowDown");
    await expect(dialog.getByRole("radio", { name: "Harassment or bullying" })).toBeChecked();
    await bob.page.keyboard.press("Tab");
    await bob.page.keyboard.press("Tab");
    await bob.page.keyboard.press("Tab");
    await expect(dialog.getByRole("button", { name: "Send report" })).toBeFocused();
    await bob.page.keyboard.press("Enter");
    await expect(bob.page.getByText("You have already reported this message.")).toBeVisible();
    await expect(dialog).toBeHidden();
    await expect(menuButton).toBeFocused();
  });

  test("blocking stops a direct conversation both ways until it is undone from the settings", async ({ people, request }) => {
    const [alice, bob] = await people("Alice", "Bob");
    const threadId = await as(request, bob).createThread(alice);
    await as(request, bob).send(threadId, "Hi Alice, got a minute?");
    await openThread(alice.page, threadId);
    await openThread(bob.page, threadId);

    // Alice blocks Bob from his profile card, after saying yes.
    await alice.page.getByRole("button", { name: `Profile of ${bob.name}` }).first().click();
    const card = alice.page.getByTestId("profile-card");
    await card.getByRole("button", { name: "Block", exact: true }).click();
    const confirm = alice.page.getByRole("alertdialog", { name: `Block ${bob.name}?` });
    await expect(confirm).toContainText("They won't be able to message you or see when you're online. They won't be told.");
    await confirm.getByRole("button", { name: "Block" }).click();
    await expect(confirm).toBeHidden();
    await expect(card.getByRole("button", { name: "Unblock" })).toBeFocused();
    await alice.page.keyboard.press("Escape");

    // Her composer gives way to the notice.
    const notice = alice.page.getByTestId("blocked-notice");
    await expect(notice).toContainText(`You blocked @${bob.username}.`);
    await expect(notice.getByRole("button", { name: "Unblock" })).toBeVisible();
    await expect(alice.page.getByRole("textbox", { name: "Message" })).toHaveCount(0);

    // Bob's message is refused with the server's words and stays "Not sent"; he is not told more.
    await sendFromComposer(bob.page, "Are you there?");
    await expect(bob.page.getByText("You can't send messages in this conversation.")).toBeVisible();
    const refused = bob.page.getByTestId("message").filter({ hasText: "Are you there?" });
    await expect(refused).toHaveAttribute("data-status", "failed");
    await expect(refused).toContainText("Not sent");

    // Alice unblocks him from her account settings.
    await alice.page.getByRole("link", { name: "Account" }).click();
    const row = alice.page.getByTestId("blocked-person").filter({ hasText: `@${bob.username}` });
    await expect(row).toContainText(bob.name);
    await expect(row).toContainText("Blocked");
    await row.getByRole("button", { name: `Unblock ${bob.name}` }).click();
    await expect(alice.page.getByTestId("blocks-empty")).toHaveText("You haven't blocked anyone.");
    await expect(alice.page.getByRole("heading", { name: "Blocked people" })).toBeFocused();

    // Both can write again: Bob's retry goes through, and Alice answers from her composer.
    await refused.getByRole("button", { name: "Retry" }).click();
    await expect(bob.page.getByTestId("message").filter({ hasText: "Are you there?" })).toHaveAttribute("data-status", "sent");
    await openThread(alice.page, threadId);
    await expect(alice.page.getByTestId("blocked-notice")).toHaveCount(0);
    await expect(alice.page.getByTestId("message").filter({ hasText: "Are you there?" })).toBeVisible();
    await sendFromComposer(alice.page, "Yes, sorry about that!");
    await expect(bob.page.getByTestId("message").filter({ hasText: "Yes, sorry about that!" })).toBeVisible();
  });

  test("a message a moderator removes changes in place at once, and leaves the unread counts", async ({ people, request }) => {
    const [alice, bob, carol] = await people("Alice", "Bob", "Carol");
    await promoteToAdmin(carol);
    const threadId = await as(request, bob).createThread(alice);
    await as(request, bob).send(threadId, "Morning!");
    const nasty = (await as(request, bob).send(threadId, "Something nobody should read")) as { id: string };

    // Bob has the conversation open; Alice sees it in her list with two unread.
    await openThread(bob.page, threadId);
    await alice.page.reload();
    const item = alice.page.locator(`[data-testid="thread-item"][data-thread-id="${threadId}"]`);
    await expect(item).toHaveAttribute("data-unread", "2");
    await expect(item).toContainText("Something nobody should read");
    await expect(bob.page.locator("[data-live]")).toHaveAttribute("data-live", "connected");
    await expect(alice.page.locator("[data-live]")).toHaveAttribute("data-live", "connected");

    const removal = await request.delete(`/api/admin/messages/${nasty.id}`, {
      headers: { authorization: `Bearer ${carol.token}` },
      data: { reason: "Abusive" },
    });
    expect(removal.status()).toBe(204);

    // The sender's open conversation shows it removed, without actions.
    const removed = bob.page.locator(`[data-testid="message"][data-message-id="${nasty.id}"]`);
    await expect(removed).toHaveText("Removed by a moderator");
    await expect(removed).toHaveAttribute("data-removed", "true");
    await removed.hover();
    await expect(removed.getByRole("button", { name: "Message actions" })).toHaveCount(0);

    // Alice's list: the preview says so, and the unread count drops by the removed message.
    await expect(item).toHaveAttribute("data-unread", "1");
    await expect(item).toContainText("Removed by a moderator");
    await openThread(alice.page, threadId);
    await expect(alice.page.locator(`[data-testid="message"][data-message-id="${nasty.id}"]`)).toHaveText("Removed by a moderator");
    await expect(item).toHaveAttribute("data-unread", "0");
    // The badge drops as soon as the browser asks to mark the thread read; the server's count once that has landed.
    await expect.poll(async () => (await as(request, alice).unread()).total).toBe(0);
  });
});
