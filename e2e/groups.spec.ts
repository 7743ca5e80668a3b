import { expect, openThread, test } from "./fixtures";

test.describe("groups", () => {
  test("created, renamed, a member added and removed while everyone has it open", async ({ people }) => {
    const [alice, bob, carol] = await people("Alice", "Bob", "Carol");

    // Alice makes a group with Bob through the "New group" dialog.
    await alice.page.getByRole("button", { name: "New group" }).click();
    const dialog = alice.page.getByRole("dialog", { name: "New group" });
    await expect(dialog.getByRole("textbox", { name: "Group title" })).toBeFocused();
    // No title: the dialog says so and creates nothing.
    await dialog.getByRole("textbox", { name: "Search people" }).fill(bob.username);
    await dialog.getByRole("button", { name: new RegExp(bob.name) }).click();
    await dialog.getByRole("button", { name: "Create group" }).click();
    await expect(dialog.getByText("A group's title cannot be empty.")).toBeVisible();
    await dialog.getByRole("textbox", { name: "Group title" }).fill("Launch plans");
    await dialog.getByRole("button", { name: "Create group" }).click();
    await expect(alice.page).toHaveURL(/\/t\/[^/]+$/);
    const threadId = alice.page.url().split("/t/")[1]!;
    await expect(alice.page.getByRole("heading", { level: 1 })).toHaveText("Launch plans");
    await expect(alice.page.getByTestId("system-entry")).toHaveText("You created the group “Launch plans”");

    // Bob sees it arrive in his list, titled, and opens it.
    const bobItem = bob.page.locator(`[data-testid="thread-item"][data-thread-id="${threadId}"]`);
    await expect(bobItem).toContainText("Launch plans");
    await openThread(bob.page, threadId);
    await expect(bob.page.getByTestId("system-entry").first()).toHaveText(`${alice.name} created the group “Launch plans”`);
    await expect(bob.page.locator("[data-live]")).toHaveAttribute("data-live", "connected");

    // Alice renames it in the details panel; Bob's open tab follows.
    await alice.page.getByRole("button", { name: "Group details" }).click();
    const details = alice.page.getByRole("dialog", { name: "Group details" });
    await details.getByRole("textbox", { name: "Title" }).fill("Launch");
    await details.getByRole("button", { name: "Save" }).click();
    await expect(bob.page.getByRole("heading", { level: 1 })).toHaveText("Launch");
    await expect(bob.page.getByTestId("system-entry").last()).toHaveText(`${alice.name} renamed the group to “Launch”`);

    // She adds Carol: Bob sees the entry, Carol gets the group in her list with nothing unread.
    await details.getByRole("textbox", { name: "Search people to add" }).fill(carol.username);
    await details.getByRole("button", { name: `Add ${carol.name}` }).click();
    await expect(details.getByTestId("group-member")).toHaveCount(3);
    await expect(bob.page.getByTestId("system-entry").last()).toHaveText(`${alice.name} added ${carol.name}`);
    const carolItem = carol.page.locator(`[data-testid="thread-item"][data-thread-id="${threadId}"]`);
    await expect(carolItem).toContainText("Launch");
    await expect(carolItem).toHaveAttribute("data-unread", "0");
    await openThread(carol.page, threadId);
    await expect(carol.page.getByTestId("system-entry").last()).toHaveText(`${alice.name} added you`);

    // Bob becomes an admin.
    await details.getByRole("button", { name: `Manage ${bob.name}` }).click();
    await alice.page.getByRole("menuitem", { name: "Make admin" }).click();
    await expect(details.getByTestId("group-member").filter({ hasText: bob.name })).toHaveAttribute("data-role", "admin");
    await expect(bob.page.getByTestId("system-entry").last()).toHaveText(`${alice.name} made you an admin`);

    // Alice removes Carol: Carol's open tab leaves the conversation, and the group leaves her list.
    await details.getByRole("button", { name: `Manage ${carol.name}` }).click();
    await alice.page.getByRole("menuitem", { name: "Remove from group" }).click();
    await alice.page.getByRole("alertdialog").getByRole("button", { name: "Remove" }).click();
    await expect(details.getByTestId("group-member")).toHaveCount(2);
    await expect(carol.page.getByTestId("thread-not-found")).toBeVisible();
    await expect(carolItem).toHaveCount(0);
    await expect(bob.page.getByTestId("system-entry").last()).toHaveText(`${alice.name} removed ${carol.name}`);

    // Bob leaves; Alice stays the admin of a group of one. His own `thread.removed` event is held to arrive before the
    // DELETE's answer (both leave the server at the same commit, so either may come first): the conversation still
    // closes.
    await bob.page.route(`**/api/threads/${threadId}/participants/${bob.id}`, async (route) => {
      const answer = await route.fetch();
      await expect(bob.page.getByTestId("thread-not-found")).toBeVisible();
      await route.fulfill({ response: answer });
    });
    await bob.page.getByRole("button", { name: "Group details" }).click();
    await bob.page.getByRole("dialog", { name: "Group details" }).getByRole("button", { name: "Leave group" }).click();
    await bob.page.getByRole("alertdialog").getByRole("button", { name: "Leave" }).click();
    await expect(bob.page).toHaveURL("/");
    await expect(bobItem).toHaveCount(0);
    await expect(details.getByTestId("group-member")).toHaveCount(1);
  });

  test("a member sees the group but none of the admin controls", async ({ people, request }) => {
    const [alice, bob] = await people("Alice", "Bob");
    const res = await request.post("/api/threads", {
      headers: { authorization: `Bearer ${alice.token}` },
      data: { participantIds: [bob.id], title: "Book club (draft)", description: "Monthly, second Tuesday" },
    });
    expect(res.status()).toBe(201);
    const threadId = (await res.json()).id as string;
    // A message for Bob, then a system entry above it (a rename): opening the group still marks the message read.
    const headers = { authorization: `Bearer ${alice.token}` };
    expect((await request.post(`/api/threads/${threadId}/messages`, { headers, data: { text: "First meeting on Tuesday" } })).status()).toBe(201);
    expect((await request.patch(`/api/threads/${threadId}`, { headers, data: { title: "Book club" } })).status()).toBe(200);
    await bob.page.reload();
    const item = bob.page.locator(`[data-testid="thread-item"][data-thread-id="${threadId}"]`);
    await expect(item).toHaveAttribute("data-unread", "1");
    await openThread(bob.page, threadId);
    await expect(item).toHaveAttribute("data-unread", "0");
    await bob.page.getByRole("button", { name: "Group details" }).click();
    const details = bob.page.getByRole("dialog", { name: "Group details" });
    await expect(details).toContainText("Monthly, second Tuesday");
    await expect(details.getByTestId("group-member").filter({ hasText: alice.name })).toHaveAttribute("data-role", "admin");
    await expect(details.getByRole("textbox", { name: "Title" })).toHaveCount(0);
    await expect(details.getByRole("button", { name: /^Manage / })).toHaveCount(0);
    await expect(details.getByRole("button", { name: "Delete group" })).toHaveCount(0);
    await expect(details.getByRole("button", { name: "Leave group" })).toBeVisible();

    // A member's row opens their profile card, over the panel; "Message" goes to the direct conversation with them.
    await details.getByRole("button", { name: new RegExp(`^Profile of ${alice.name}`) }).click();
    const card = bob.page.getByTestId("profile-card");
    await expect(card.getByRole("heading", { name: alice.name })).toBeVisible();
    await expect(card).toContainText(`@${alice.username}`);
    await card.getByRole("button", { name: "Message" }).click();
    await expect(bob.page).not.toHaveURL(new RegExp(threadId));
    await expect(bob.page).toHaveURL(/\/t\/[^/]+$/);
    await expect(bob.page.getByRole("heading", { level: 1 })).toHaveText(alice.name);
  });
});
