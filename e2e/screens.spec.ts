import type { Page, TestInfo } from "@playwright/test";
import { as, expect, openThread, promoteToAdmin, test } from "./fixtures";

// Screenshots of the main screens, light and dark, per project (desktop and phone), saved under
// test-results/screens/ and attached to the report, for people to look at after every run.
async function shoot(page: Page, testInfo: TestInfo, screen: string) {
  for (const colorScheme of ["light", "dark"] as const) {
    await page.emulateMedia({ colorScheme });
    const path = `test-results/screens/${testInfo.project.name}-${screen}-${colorScheme}.png`;
    await page.screenshot({ path, animations: "disabled" });
    await testInfo.attach(`${screen}-${colorScheme}`, { path, contentType: "image/png" });
  }
  await page.emulateMedia({ colorScheme: "light" });
}

test("main screens", async ({ people, request, browser }, testInfo) => {
  const [alice, bob, carol] = await people("Alice", "Bob", "Carol");
  const withBob = await as(request, alice).createThread(bob);
  const group = await as(request, alice).createGroup("Weekly standup", bob, carol);
  await as(request, alice).send(withBob, "Morning! Did you see the release notes?");
  await as(request, bob).send(withBob, "Yes, left a few comments on the migration section.");
  await as(request, alice).send(withBob, "Great, thanks. Lunch tomorrow?");
  await as(request, bob).send(withBob, "Sure, 12:30 at the usual place?");
  await as(request, carol).send(group, "Standup is 10 minutes late today.");
  await as(request, bob).send(group, "Works for me.");

  const visitor = await browser.newContext({ viewport: alice.page.viewportSize() ?? undefined });
  const signIn = await visitor.newPage();
  await signIn.goto("/sign-in");
  await expect(signIn.getByRole("button", { name: "Sign in" })).toBeVisible();
  await shoot(signIn, testInfo, "sign-in");
  await visitor.close();

  await alice.page.reload();
  await expect(alice.page.locator(`[data-testid="thread-item"][data-thread-id="${group}"]`)).toHaveAttribute("data-unread", "2");
  await shoot(alice.page, testInfo, "thread-list");

  await openThread(alice.page, withBob);
  await expect(alice.page.getByTestId("message").filter({ hasText: "12:30" })).toBeVisible();
  await shoot(alice.page, testInfo, "conversation");

  await openThread(alice.page, group);
  await expect(alice.page.getByTestId("message").filter({ hasText: "Works for me." })).toBeVisible();
  await shoot(alice.page, testInfo, "group");
  await alice.page.getByRole("button", { name: "Group details" }).click();
  await expect(alice.page.getByRole("dialog", { name: "Group details" }).getByTestId("group-member")).toHaveCount(3);
  await shoot(alice.page, testInfo, "group-details");
  await alice.page.keyboard.press("Escape");

  await openThread(alice.page, withBob);
  await alice.page.getByRole("button", { name: `Profile of ${bob.name}` }).first().click();
  await expect(alice.page.getByTestId("profile-card").getByRole("heading", { name: bob.name })).toBeVisible();
  await shoot(alice.page, testInfo, "profile-card");
  await alice.page.keyboard.press("Escape");

  await alice.page.goto("/");
  await alice.page.getByRole("button", { name: "New group" }).click();
  const newGroup = alice.page.getByRole("dialog", { name: "New group" });
  await newGroup.getByRole("textbox", { name: "Group title" }).fill("Release crew");
  await newGroup.getByLabel("Search people").fill(bob.name);
  await newGroup.getByRole("button", { name: new RegExp(bob.name) }).click();
  await shoot(alice.page, testInfo, "new-group");
  await alice.page.keyboard.press("Escape");

  await alice.page.goto("/");
  await alice.page.getByRole("button", { name: "New conversation" }).first().click();
  const dialog = alice.page.getByRole("dialog", { name: "New conversation" });
  // Bob's full name is unique (the suite's many other Bobs share the first name).
  await dialog.getByLabel("Search people").fill(bob.name);
  await expect(dialog.getByRole("button", { name: new RegExp(bob.name) })).toBeVisible();
  // Wait for the debounced search to narrow the results to Bob.
  await expect(dialog.getByText(/@(alice|carol)_/)).toHaveCount(0);
  await shoot(alice.page, testInfo, "new-conversation");

  await alice.page.keyboard.press("Escape");
  await alice.page.goto("/settings/account");
  await expect(alice.page.getByRole("heading", { level: 1, name: "Account" })).toBeVisible();
  await shoot(alice.page, testInfo, "account");
});

test("moderation screens", async ({ people, request }, testInfo) => {
  const [alice, bob, carol] = await people("Alice", "Bob", "Carol");
  await promoteToAdmin(carol);
  const withBob = await as(request, alice).createThread(bob);
  await as(request, bob).send(withBob, "Morning! Did you see the release notes?");
  const removed = (await as(request, bob).send(withBob, "You should all be fired, every one of you")) as { id: string };
  await as(request, bob).send(withBob, "Anyway. Lunch tomorrow?");
  await as(request, alice).send(withBob, "Sure, 12:30 at the usual place?");
  const removal = await request.delete(`/api/admin/messages/${removed.id}`, {
    headers: { authorization: `Bearer ${carol.token}` },
    data: { reason: "Abusive" },
  });
  expect(removal.status()).toBe(204);

  await alice.page.reload();
  await openThread(alice.page, withBob);
  await expect(alice.page.locator(`[data-testid="message"][data-message-id="${removed.id}"]`)).toHaveText("Removed by a moderator");
  await shoot(alice.page, testInfo, "removed-message");

  const message = alice.page.getByTestId("message").filter({ hasText: "Lunch tomorrow?" });
  await message.hover();
  await message.getByRole("button", { name: "Message actions" }).click();
  await alice.page.getByRole("menuitem", { name: "Report message" }).click();
  const report = alice.page.getByRole("dialog", { name: "Report message" });
  await report.getByRole("radio", { name: "Harassment or bullying" }).check();
  await report.getByRole("textbox", { name: /Details/ }).fill("Not the first time this week.");
  await shoot(alice.page, testInfo, "report-dialog");
  await alice.page.keyboard.press("Escape");
  await expect(report).toBeHidden();

  await alice.page.getByRole("button", { name: `Profile of ${bob.name}` }).first().click();
  const card = alice.page.getByTestId("profile-card");
  await card.getByRole("button", { name: "Block", exact: true }).click();
  await expect(alice.page.getByRole("alertdialog", { name: `Block ${bob.name}?` })).toBeVisible();
  await shoot(alice.page, testInfo, "block-confirm");
  await alice.page.getByRole("alertdialog").getByRole("button", { name: "Block" }).click();
  await expect(card.getByRole("button", { name: "Unblock" })).toBeVisible();
  await shoot(alice.page, testInfo, "profile-card-blocked");
  await alice.page.keyboard.press("Escape");
  await expect(alice.page.getByTestId("blocked-notice")).toBeVisible();
  await shoot(alice.page, testInfo, "blocked-notice");

  await alice.page.goto("/settings/account");
  const blocked = alice.page.getByRole("heading", { name: "Blocked people" });
  await expect(alice.page.getByTestId("blocked-person")).toHaveCount(1);
  await blocked.scrollIntoViewIfNeeded();
  await shoot(alice.page, testInfo, "blocked-people");
});
