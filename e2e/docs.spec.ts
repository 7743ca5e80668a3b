import { expect, test } from "@playwright/test";

test.describe("the API reference", () => {
  test("renders /api/openapi.json for a signed-out visitor, with nothing loaded from another origin", async ({ page, baseURL }) => {
    const origin = new URL(baseURL!).origin;
    const elsewhere: string[] = [];
    page.on("request", (r) => {
      const url = new URL(r.url());
      if (url.origin !== origin && url.protocol !== "data:" && url.protocol !== "blob:") elsewhere.push(r.url());
    });
    await page.goto("/docs");
    await expect(page.getByRole("heading", { name: "Parley API", level: 1 })).toBeVisible();
    // The guide sections of the description, and the operations by tag.
    for (const section of ["Authentication", "Errors", "Pagination", "Rate limits", "Browsers and CSRF", "Conditional requests", "Idempotency"]) {
      await expect(page.getByRole("heading", { name: section, exact: true }).first()).toBeAttached();
    }
    await page.getByRole("heading", { name: "Idempotency", exact: true }).first().scrollIntoViewIfNeeded();
    await expect(page.getByText("clientMessageId", { exact: false }).first()).toBeVisible();
    // An operation: open its tag in the sidebar and go to it.
    await page.getByRole("button", { name: "Open Group - Messages" }).click();
    await page.getByRole("link", { name: /Send a message/ }).first().click();
    const heading = page.getByRole("heading", { name: "Send a message" }).first();
    await expect(heading).toBeVisible();
    await expect(page.getByText("/api/threads/{id}/messages").first()).toBeVisible();
    expect(elsewhere).toEqual([]);
  });
});
