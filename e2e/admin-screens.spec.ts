import type { Page, TestInfo } from "@playwright/test";
import { as, expect, promoteToAdmin, test } from "./fixtures";

// Screenshots of the admin area, light and dark, per project (desktop and phone), under test-results/screens/ and
// attached to the report, as e2e/screens.spec.ts does for the chat.
async function shoot(page: Page, testInfo: TestInfo, screen: string) {
  for (const colorScheme of ["light", "dark"] as const) {
    await page.emulateMedia({ colorScheme });
    const path = `test-results/screens/${testInfo.project.name}-admin-${screen}-${colorScheme}.png`;
    await page.screenshot({ path, animations: "disabled" });
    await testInfo.attach(`admin-${screen}-${colorScheme}`, { path, contentType: "image/png" });
  }
  await page.emulateMedia({ colorScheme: "light" });
}

test("admin screens", async ({ people, request }, testInfo) => {
  const [alice, bob, dave] = await people("Alice", "Bob", "Dave");
  await promoteToAdmin(dave);
  const thread = await as(request, bob).createThread(alice);
  await as(request, alice).send(thread, "Are we still on for Friday?");
  const spam = await as(request, bob).send(thread, "Win a free phone: click spam.example now");
  await as(request, alice).send(thread, "Please stop sending these.");
  const report = await request.post(`/api/messages/${spam.id}/reports`, {
    headers: { authorization: `Bearer ${alice.token}` },
    data: { reason: "spam", details: "He sends this to everyone" },
  });
  expect(report.status()).toBe(201);

  await dave.page.goto("/admin");
  await expect(dave.page.getByRole("heading", { name: "Messages per day" })).toBeVisible();
  await shoot(dave.page, testInfo, "overview");

  await dave.page.goto("/admin/reports");
  await expect(dave.page.getByTestId("report").filter({ hasText: `@${bob.username}` })).toHaveCount(1);
  await shoot(dave.page, testInfo, "reports");

  await dave.page.goto(`/admin/people?q=${bob.username}`);
  await expect(dave.page.getByRole("table", { name: "People" }).getByRole("row")).toHaveCount(2);
  await shoot(dave.page, testInfo, "people");

  await dave.page.goto(`/admin/conversations/${thread}`);
  await dave.page.getByRole("textbox", { name: "Why do you need to read this conversation?" }).fill("Checking a spam report");
  await dave.page.getByRole("button", { name: "Read messages" }).click();
  await expect(dave.page.getByTestId("admin-message")).toHaveCount(3);
  await shoot(dave.page, testInfo, "conversation");

  await dave.page.goto("/admin/audit");
  await expect(dave.page.getByRole("table", { name: "Audit log" })).toContainText("thread.messages_viewed");
  await shoot(dave.page, testInfo, "audit");
});
