import { as, expect, openThread, promoteToAdmin, signIn, test } from "./fixtures";

test.describe("admin area", () => {
  test("an admin sees a report arrive live, removes the message, and the conversation and audit log follow", async ({ people, request }) => {
    const [alice, bob, dave] = await people("Alice", "Bob", "Dave");
    await promoteToAdmin(dave);
    const threadId = await as(request, bob).createThread(alice);
    const message = await as(request, bob).send(threadId, "Buy cheap followers at spam.example");
    await openThread(alice.page, threadId);
    await expect(alice.page.locator("[data-live]")).toHaveAttribute("data-live", "connected");

    // Dave has the queue open when Alice reports: it arrives without a reload.
    await dave.page.goto("/admin/reports");
    await expect(dave.page.getByRole("heading", { level: 1, name: "Reports" })).toBeVisible();
    // The queue is the instance's: other tests' reports may be in it. This one is told apart by its sender.
    const item = dave.page.getByTestId("report").filter({ hasText: `@${bob.username}` });
    await expect(item).toHaveCount(0);
    const report = await request.post(`/api/messages/${message.id}/reports`, {
      headers: { authorization: `Bearer ${alice.token}` },
      data: { reason: "spam", details: "Same text in three groups" },
    });
    expect(report.status()).toBe(201);
    await expect(item).toHaveCount(1);
    await expect(item).toContainText("Spam");
    await expect(item).toContainText(`@${alice.username}`);
    await expect(item.locator("[data-reported]")).toContainText("Buy cheap followers at spam.example");

    // A reason is required; then the message is removed and the report leaves the open queue.
    await item.getByRole("button", { name: "Remove message" }).click();
    const dialog = dave.page.getByRole("dialog", { name: "Remove the reported message?" });
    await dialog.getByRole("button", { name: "Remove message" }).click();
    await expect(dialog.getByRole("alert")).toHaveText("Give a reason: it is kept in the audit log.");
    await dialog.getByRole("textbox", { name: "Reason" }).fill("Spam link");
    await dialog.getByRole("button", { name: "Remove message" }).click();
    await expect(dialog).toBeHidden();
    await expect(item).toHaveCount(0);

    // Alice's open conversation shows the removal at once.
    await expect(alice.page.getByTestId("message").getByText("Removed by a moderator")).toBeVisible();
    await expect(alice.page.getByText("Buy cheap followers at spam.example")).toHaveCount(0);

    // The resolved tab and the audit log say who did what, and why.
    await dave.page.getByRole("tab", { name: "Resolved" }).click();
    await expect(dave.page.getByTestId("report").filter({ hasText: `@${bob.username}` })).toContainText("Message removed");
    await dave.page.getByRole("link", { name: "Audit log" }).click();
    const rows = dave.page.getByRole("table", { name: "Audit log" }).getByRole("row").filter({ hasText: `@${dave.username}` });
    await expect(rows.filter({ hasText: "report.message_removed" })).toContainText("Spam link");
    await expect(rows.filter({ hasText: /message\.removed/ }).first()).toContainText("Spam link");
  });

  test("an admin suspends someone: their open tab is signed out and sign-in says why; unsuspending lets them back", async ({ people, browser }) => {
    const [bob, dave] = await people("Bob", "Dave");
    await promoteToAdmin(dave);
    await expect(bob.page.locator("[data-live]")).toHaveAttribute("data-live", "connected");

    await dave.page.goto("/admin/people");
    await dave.page.getByRole("searchbox", { name: "Search people" }).fill(bob.username);
    await dave.page.getByRole("button", { name: "Search" }).click();
    await dave.page.getByRole("table", { name: "People" }).getByRole("link", { name: new RegExp(bob.username) }).click();
    await expect(dave.page.getByRole("heading", { level: 1 })).toHaveText(bob.name);
    await dave.page.getByRole("button", { name: "Suspend" }).click();
    const dialog = dave.page.getByRole("dialog", { name: `Suspend ${bob.name}?` });
    await dialog.getByRole("textbox", { name: "Reason" }).fill("Spamming the Team group");
    await dialog.getByRole("button", { name: "Suspend" }).click();
    await expect(dave.page.getByText("Reason given: Spamming the Team group")).toBeVisible();

    // Bob's tab loses its session (its stream ends), and signing in again tells him why.
    await expect(bob.page).toHaveURL(/\/sign-in/);
    const again = await browser.newContext();
    const page = await again.newPage();
    await page.goto("/sign-in");
    await page.getByLabel("Username").fill(bob.username);
    await page.getByLabel("Password").fill("correct horse battery");
    await page.getByRole("button", { name: "Sign in" }).click();
    await expect(page.getByTestId("form-error")).toHaveText("Your account is suspended. Reason given: Spamming the Team group");
    await again.close();

    await dave.page.getByRole("button", { name: "Unsuspend" }).click();
    await dave.page.getByRole("dialog", { name: `Unsuspend ${bob.name}?` }).getByRole("button", { name: "Unsuspend" }).click();
    await expect(dave.page.getByText("Active", { exact: true })).toBeVisible();
    const back = await signIn(browser, bob.username);
    await expect(back.page.getByTestId("signed-in-as")).toBeVisible();
    await back.context.close();
  });

  test("the admin area does not exist for members or visitors", async ({ people, browser, request }) => {
    const [carol] = await people("Carol");
    // A page searching for Carol herself: were its data rendered at all, her whole username would be in the answer
    // (the search is all of it but its last letter, since the answer repeats its own URL).
    const search = `/admin/people?q=${carol.username.slice(0, -1)}`;
    for (const path of ["/admin", search, "/admin/reports", "/admin/audit", `/admin/people/${carol.id}`]) {
      const res = await carol.page.goto(path);
      expect(res?.status()).toBe(404);
      expect(await res?.text()).not.toContain(carol.username);
    }
    await expect(carol.page.getByRole("link", { name: "Admin" })).toHaveCount(0);
    const visitor = await browser.newContext();
    const page = await visitor.newPage();
    for (const path of ["/admin", search, `/admin/people/${carol.id}`]) {
      const res = await page.goto(path);
      expect(res?.status()).toBe(404);
      expect(await res?.text()).not.toContain(carol.username);
    }
    await visitor.close();
    const api = await request.get("/api/admin/stats", { headers: { authorization: `Bearer ${carol.token}` } });
    expect(api.status()).toBe(404);
  });
});
