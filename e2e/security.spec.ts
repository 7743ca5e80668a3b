import { expect, type Page, test } from "@playwright/test";
import { as, createPerson, openThread } from "./fixtures";

/** Collects what the browser reports as blocked by the Content-Security-Policy, and uncaught page errors. */
function watch(page: Page): { violations: string[]; errors: string[] } {
  const seen = { violations: [] as string[], errors: [] as string[] };
  page.on("console", (m) => {
    if (/Content Security Policy|Content-Security-Policy/i.test(m.text())) seen.violations.push(m.text());
  });
  page.on("pageerror", (e) => seen.errors.push(e.message));
  return seen;
}

test.describe("security headers", () => {
  test("pages carry a nonce CSP that changes per request, and nothing on them is blocked by it", async ({ page }) => {
    const seen = watch(page);
    const first = await page.goto("/sign-in");
    const policy = first!.headers()["content-security-policy"]!;
    expect(policy).toMatch(/script-src 'self' 'nonce-[A-Za-z0-9+/=]+' 'strict-dynamic'/);
    expect(policy).toContain("frame-ancestors 'none'");
    expect(policy).not.toContain("unsafe-eval");
    expect(first!.headers()["x-content-type-options"]).toBe("nosniff");
    expect(first!.headers()["referrer-policy"]).toBe("strict-origin-when-cross-origin");
    // Next's scripts carry this response's nonce; the form works (the page hydrated under the policy).
    const nonce = /'nonce-([^']+)'/.exec(policy)![1]!;
    expect(await page.locator(`script[nonce]`).count()).toBeGreaterThan(0);
    expect(await page.evaluate(() => [...document.scripts].filter((s) => s.src || s.textContent).every((s) => s.nonce))).toBe(true);
    await expect(page.getByRole("button", { name: "Sign in" })).toBeEnabled();
    const second = await page.goto("/sign-in");
    expect(/'nonce-([^']+)'/.exec(second!.headers()["content-security-policy"]!)![1]).not.toBe(nonce);

    await page.goto("/sign-up");
    await page.goto("/docs");
    await expect(page.getByRole("heading", { name: "Parley API", level: 1 })).toBeVisible();
    await page.getByRole("button", { name: "Open Group - Messages" }).click();
    await expect(page.getByRole("link", { name: /Send a message/ }).first()).toBeVisible();
    expect(seen.violations).toEqual([]);
    expect(seen.errors).toEqual([]);
  });

  test("the chat works under the policy: nothing blocked while signed in, in a thread, and on the tokens page", async ({ browser, request }) => {
    const ada = await createPerson(browser, request, "Ada");
    const bo = await createPerson(browser, request, "Bo");
    const seen = watch(ada.page);
    const threadId = await as(request, bo).createThread(ada);
    await as(request, bo).send(threadId, "Under a strict policy");
    await ada.page.goto("/");
    await openThread(ada.page, threadId);
    await expect(ada.page.getByTestId("message").filter({ hasText: "Under a strict policy" })).toBeVisible();
    await ada.page.goto("/settings/tokens");
    await expect(ada.page.getByRole("heading", { name: /API tokens/i }).first()).toBeVisible();
    expect(seen.violations).toEqual([]);
    expect(seen.errors).toEqual([]);
    await ada.context.close();
    await bo.context.close();
  });

  test("API answers may not be rendered or framed", async ({ request }) => {
    const res = await request.get("/api/openapi.json");
    expect(res.headers()["content-security-policy"]).toBe("default-src 'none'; frame-ancestors 'none'");
    expect(res.headers()["x-content-type-options"]).toBe("nosniff");
    expect(res.headers()["x-frame-options"]).toBe("DENY");
  });

  test("a page cannot be framed by another site", async ({ page }) => {
    const res = await page.goto("/sign-in");
    expect(res!.headers()["x-frame-options"]).toBe("DENY");
    await page.setContent(`<iframe src="${page.url()}" id="f"></iframe>`);
    const frame = page.frames().find((f) => f !== page.mainFrame());
    // Blocked framing leaves the frame on an error page, without the form.
    await expect.poll(async () => (frame ? await frame.locator("form").count().catch(() => 0) : 0)).toBe(0);
  });
});
