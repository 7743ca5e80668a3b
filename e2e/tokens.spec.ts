import type { Page } from "@playwright/test";
import { expect, test } from "./fixtures";

const TOKEN_PATTERN = /^prly_[A-Za-z0-9_-]{43}$/;

/** Goes from the conversations to the tokens page the way a person would: the "API tokens" button by their name. */
async function openTokensPage(page: Page) {
  await page.getByRole("link", { name: "API tokens" }).click();
  await expect(page).toHaveURL("/settings/tokens");
  await expect(page.getByRole("heading", { level: 1, name: "API tokens" })).toBeVisible();
}

const tokenRow = (page: Page, name: string) => page.getByTestId("token-item").filter({ has: page.getByTestId("token-name").getByText(name, { exact: true }) });

test.describe("API tokens page", () => {
  test("a token is shown once, copied, works as a bearer token, records its use, and stops working when revoked", async ({
    people,
    playwright,
    baseURL,
  }) => {
    const [alice] = await people("Alice");
    const { page } = alice;
    await alice.context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: baseURL });
    // A client without alice's session cookie, as a script holding the token would be.
    const api = await playwright.request.newContext({ baseURL });

    await openTokensPage(page);
    // The token the fixtures created for alice is listed, without its secret.
    await expect(tokenRow(page, "e2e")).toContainText("Never used");

    await page.getByLabel("Token name", { exact: true }).fill("  Deploy script  ");
    await page.getByRole("button", { name: "Create token" }).click();

    const reveal = page.getByTestId("new-token");
    await expect(reveal).toContainText("Token “Deploy script” created");
    await expect(reveal).toContainText("it will not be shown again");
    const secretField = reveal.getByLabel("Your new token");
    await expect(secretField).toHaveAttribute("readonly", "");
    const secret = await secretField.inputValue();
    expect(secret).toMatch(TOKEN_PATTERN);
    // The name was trimmed, the field emptied, and the new token heads the list, never used.
    await expect(page.getByLabel("Token name", { exact: true })).toHaveValue("");
    await expect(page.getByTestId("token-item").first().getByTestId("token-name")).toHaveText("Deploy script");
    await expect(tokenRow(page, "Deploy script").getByTestId("token-last-used")).toHaveText("Never used");

    await reveal.getByRole("button", { name: "Copy" }).click();
    await expect(reveal.getByRole("button", { name: "Copied" })).toBeVisible();
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(secret);

    // Dismissed, the secret is gone from the page, and no reload brings it back.
    await reveal.getByRole("button", { name: "Done" }).click();
    await expect(reveal).toHaveCount(0);
    await expect(page.getByLabel("Token name", { exact: true })).toBeFocused();
    await page.reload();
    await expect(tokenRow(page, "Deploy script")).toBeVisible();
    await expect(page.getByTestId("new-token")).toHaveCount(0);
    expect(await page.content()).not.toContain(secret);

    const me = await api.get("/api/users/me", { headers: { Authorization: `Bearer ${secret}` } });
    expect(me.status()).toBe(200);
    expect((await me.json()).username).toBe(alice.username);

    await page.reload();
    await expect(tokenRow(page, "Deploy script").getByTestId("token-last-used")).toHaveText(/^Last used (just now|\d+ minutes? ago)$/);
    await expect(tokenRow(page, "e2e").getByTestId("token-last-used")).toHaveText("Never used");

    // Cancel keeps the token; confirming revokes it.
    await tokenRow(page, "Deploy script").getByRole("button", { name: "Revoke Deploy script" }).click();
    const dialog = page.getByRole("alertdialog", { name: "Revoke “Deploy script”?" });
    await dialog.getByRole("button", { name: "Cancel" }).click();
    await expect(dialog).toBeHidden();
    await expect(tokenRow(page, "Deploy script")).toBeVisible();

    await tokenRow(page, "Deploy script").getByRole("button", { name: "Revoke Deploy script" }).click();
    await dialog.getByRole("button", { name: "Revoke" }).click();
    await expect(dialog).toBeHidden();
    await expect(tokenRow(page, "Deploy script")).toHaveCount(0);
    await expect(page.getByRole("heading", { name: "Your tokens" })).toBeFocused();
    expect((await api.get("/api/users/me", { headers: { Authorization: `Bearer ${secret}` } })).status()).toBe(401);

    // With the last token revoked the list says so, also after a reload.
    await tokenRow(page, "e2e").getByRole("button", { name: "Revoke e2e" }).click();
    await page.getByRole("alertdialog", { name: "Revoke “e2e”?" }).getByRole("button", { name: "Revoke" }).click();
    await expect(page.getByTestId("tokens-empty")).toContainText("No tokens yet.");
    await page.reload();
    await expect(page.getByTestId("tokens-empty")).toBeVisible();

    // Back to the conversations (on a phone, the list is another screen).
    await page.getByRole("link", { name: "Back to conversations" }).click();
    await expect(page).toHaveURL("/");
    await expect(page.getByRole("searchbox", { name: "Search conversations and messages" })).toBeVisible();
    await api.dispose();
  });

  test("an empty or too long name is refused before anything is created", async ({ people }) => {
    const [bob] = await people("Bob");
    const { page } = bob;
    await openTokensPage(page);
    await expect(page.getByTestId("token-item")).toHaveCount(1);
    const name = page.getByLabel("Token name", { exact: true });
    const create = page.getByRole("button", { name: "Create token" });

    await name.fill("   ");
    await create.click();
    await expect(page.getByTestId("token-name-error")).toHaveText("Give the token a name.");
    await expect(name).toHaveAttribute("aria-invalid", "true");
    await expect(name).toBeFocused();

    await name.fill("x".repeat(65));
    await expect(page.getByTestId("token-name-error")).toHaveCount(0);
    await create.click();
    await expect(page.getByTestId("token-name-error")).toHaveText("Use at most 64 characters.");

    await expect(page.getByTestId("new-token")).toHaveCount(0);
    await page.reload();
    await expect(page.getByTestId("token-item")).toHaveCount(1);

    // 64 characters is allowed.
    await page.getByLabel("Token name", { exact: true }).fill("y".repeat(64));
    await page.getByRole("button", { name: "Create token" }).click();
    await expect(page.getByTestId("new-token")).toBeVisible();
    await expect(page.getByTestId("token-item")).toHaveCount(2);
  });

  test("the server's field errors and refusals (such as a rate limit) are shown to the person", async ({ people }) => {
    const [carol] = await people("Carol");
    const { page } = carol;
    await openTokensPage(page);

    // The server's answers, as the API documents them (application/problem+json, RFC 9457), stubbed: the form checks
    // names with the server's own rule, so a real field error cannot be provoked from it, and the browser suite's
    // servers lift the token-creation limit (scripts/e2e-server.ts).
    const answers: { status: number; headers: Record<string, string>; body: object }[] = [
      {
        status: 400,
        headers: {},
        body: { type: "/problems/validation", title: "Invalid request", status: 400, detail: "The request is invalid.", requestId: "r1", errors: [{ pointer: "#/name", detail: "That name is not allowed." }] },
      },
      {
        status: 429,
        headers: { "retry-after": "30" },
        body: { type: "/problems/too-many-requests", title: "Too Many Requests", status: 429, detail: "Too many tokens created. Try again in 30 s.", requestId: "r2" },
      },
    ];
    await page.route("**/api/tokens", async (route) => {
      const answer = route.request().method() === "POST" ? answers.shift() : undefined;
      if (!answer) return route.fallback();
      await route.fulfill({ status: answer.status, headers: { ...answer.headers, "content-type": "application/problem+json" }, body: JSON.stringify(answer.body) });
    });

    await page.getByLabel("Token name", { exact: true }).fill("Reporting");
    await page.getByRole("button", { name: "Create token" }).click();
    await expect(page.getByTestId("token-name-error")).toHaveText("That name is not allowed.");
    await expect(page.getByLabel("Token name", { exact: true })).toHaveAttribute("aria-invalid", "true");
    await expect(page.getByTestId("token-form-error")).toHaveCount(0);

    await page.getByRole("button", { name: "Create token" }).click();
    await expect(page.getByTestId("token-form-error")).toHaveText("Too many tokens created. Try again in 30 s.");
    await expect(page.getByTestId("token-name-error")).toHaveCount(0);
    await expect(page.getByLabel("Token name", { exact: true })).toHaveValue("Reporting");
    await expect(page.getByTestId("new-token")).toHaveCount(0);
    expect(answers).toHaveLength(0);
  });

  test("a token list that cannot be loaded says so, and loads when tried again", async ({ people }) => {
    const [dave] = await people("Dave");
    const { page } = dave;
    let failing = true;
    await page.route("**/api/tokens*", (route) =>
      failing && route.request().method() === "GET"
        ? route.fulfill({
            status: 503,
            headers: { "content-type": "application/problem+json", "retry-after": "2" },
            body: JSON.stringify({ type: "/problems/service-unavailable", title: "Service Unavailable", status: 503, detail: "The database is unavailable. Try again shortly.", requestId: "r3" }),
          })
        : route.fallback(),
    );
    await openTokensPage(page);
    const error = page.getByTestId("tokens-error");
    await expect(error).toContainText("Couldn’t load your tokens.");
    await expect(page.getByTestId("token-item")).toHaveCount(0);

    failing = false;
    await error.getByRole("button", { name: "Try again" }).click();
    await expect(tokenRow(page, "e2e")).toContainText("Never used");
    await expect(error).toHaveCount(0);
  });

  test("tokens beyond the first page appear with Load more", async ({ people, request }) => {
    const [erin] = await people("Erin");
    const { page } = erin;
    // With the fixtures' token, one more than the API's default page of 20.
    for (let i = 1; i <= 20; i++) {
      const res = await request.post("/api/tokens", { headers: { authorization: `Bearer ${erin.token}` }, data: { name: `Batch ${i}` } });
      expect(res.status()).toBe(201);
    }
    await openTokensPage(page);
    await expect(page.getByTestId("token-item")).toHaveCount(20);
    await expect(page.getByTestId("token-item").first()).toContainText("Batch 20");
    await expect(tokenRow(page, "e2e")).toHaveCount(0);

    await page.getByRole("button", { name: "Load more" }).click();
    await expect(page.getByTestId("token-item")).toHaveCount(21);
    await expect(page.getByTestId("token-item").last().getByTestId("token-name")).toHaveText("e2e");
    await expect(page.getByRole("button", { name: "Load more" })).toHaveCount(0);
    // The button is gone: the focus went to the first token it brought, not back to the page.
    await expect(page.getByTestId("token-item").last().getByRole("button", { name: /Revoke/ })).toBeFocused();
  });
});
