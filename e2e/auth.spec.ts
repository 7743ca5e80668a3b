import { expect, test } from "@playwright/test";
import { randomBytes } from "node:crypto";

const uniqueName = (p: string) => `${p}_${randomBytes(4).toString("hex")}`;
const PASSWORD = "correct horse battery";

test.describe("signing in and out", () => {
  test("a new person signs up, lands on their home page, signs out and back in", async ({ page }) => {
    const username = uniqueName("ann");
    await page.goto("/sign-up");
    await page.getByLabel("Username").fill(username);
    await page.getByLabel("Display name (optional)").fill("Ann Example");
    await page.getByLabel("Password").fill(PASSWORD);
    await page.getByRole("button", { name: "Create account" }).click();

    await expect(page).toHaveURL("/");
    await expect(page.getByTestId("signed-in-as")).toHaveText("Ann Example");
    await expect(page.getByText("No conversations yet.")).toBeVisible();

    await page.getByRole("button", { name: "Sign out" }).click();
    await expect(page).toHaveURL(/\/sign-in/);

    await page.getByLabel("Username").fill(username.toUpperCase());
    await page.getByLabel("Password").fill(PASSWORD);
    await page.getByRole("button", { name: "Sign in" }).click();
    await expect(page).toHaveURL("/");
    await expect(page.getByTestId("signed-in-as")).toHaveText("Ann Example");
  });

  test("a wrong password shows an error and keeps the person signed out", async ({ page, request }) => {
    const username = uniqueName("bea");
    expect((await request.post("/api/auth/register", { data: { username, password: PASSWORD } })).status()).toBe(201);
    await page.goto("/sign-in");
    await page.getByLabel("Username").fill(username);
    await page.getByLabel("Password").fill("not the password");
    await page.getByRole("button", { name: "Sign in" }).click();
    await expect(page.getByTestId("form-error")).toHaveText("Invalid username or password.");
    await expect(page.getByLabel("Username")).toHaveValue(username);
    await page.goto("/");
    await expect(page).toHaveURL(/\/sign-in\?callbackUrl=(%2F|\/)$/);
  });

  test("after three wrong passwords even the right one is refused for a while", async ({ page, request }) => {
    // scripts/e2e-server.ts sets RATE_LIMIT_SIGN_IN=3/900.
    const username = uniqueName("cal");
    expect((await request.post("/api/auth/register", { data: { username, password: PASSWORD } })).status()).toBe(201);
    await page.goto("/sign-in");
    for (let i = 0; i < 3; i++) {
      await page.getByLabel("Username").fill(username);
      await page.getByLabel("Password").fill(`not the password ${i}`);
      await page.getByRole("button", { name: "Sign in" }).click();
      await expect(page.getByTestId("form-error")).toHaveText("Invalid username or password.");
      await page.reload();
    }
    await page.getByLabel("Username").fill(username);
    await page.getByLabel("Password").fill(PASSWORD);
    await page.getByRole("button", { name: "Sign in" }).click();
    await expect(page.getByTestId("form-error")).toHaveText("Too many failed attempts. Wait a few minutes, then try again.");
    await page.goto("/");
    await expect(page).toHaveURL(/\/sign-in/);
    // The API's way in is held by the same count.
    const token = await request.post("/api/tokens", { data: { username, password: PASSWORD } });
    expect(token.status()).toBe(429);
    expect(Number(token.headers()["retry-after"])).toBeGreaterThan(0);
  });

  test("sign-up shows validation errors next to the fields", async ({ page }) => {
    await page.goto("/sign-up");
    await page.getByLabel("Username").fill("x");
    await page.getByLabel("Password").fill("short");
    await page.getByRole("button", { name: "Create account" }).click();
    await expect(page.locator("#field-username-error")).toHaveText("Use 3–32 letters, digits or underscores.");
    await expect(page.locator("#field-password-error")).toHaveText("Use at least 8 characters.");
    await expect(page.getByLabel("Username")).toHaveAttribute("aria-invalid", "true");
  });

  test("a protected page sends the person to sign in and back, and never to another site", async ({ page, request }) => {
    const username = uniqueName("cal");
    await request.post("/api/auth/register", { data: { username, password: PASSWORD } });
    await page.goto("/sign-in?callbackUrl=https%3A%2F%2Fevil.example%2F");
    await page.getByLabel("Username").fill(username);
    await page.getByLabel("Password").fill(PASSWORD);
    await page.getByRole("button", { name: "Sign in" }).click();
    await expect(page).toHaveURL("/");
  });

  test("the session cookie authenticates API calls from the browser", async ({ page }) => {
    const username = uniqueName("dee");
    await page.goto("/sign-up");
    await page.getByLabel("Username").fill(username);
    await page.getByLabel("Password").fill(PASSWORD);
    await page.getByRole("button", { name: "Create account" }).click();
    await expect(page).toHaveURL("/");
    const me = await page.request.get("/api/users/me");
    expect(me.status()).toBe(200);
    expect((await me.json()).username).toBe(username);

    await page.getByRole("button", { name: "Sign out" }).click();
    await expect(page).toHaveURL(/\/sign-in/);
    expect((await page.request.get("/api/users/me")).status()).toBe(401);
  });

  test("signing out in one tab sends the person's other tab to sign in, and a copy of the cookie stops working", async ({ browser, page }) => {
    const username = uniqueName("eve");
    await page.goto("/sign-up");
    await page.getByLabel("Username").fill(username);
    await page.getByLabel("Password").fill(PASSWORD);
    await page.getByRole("button", { name: "Create account" }).click();
    await expect(page).toHaveURL("/");
    const copied = await page.context().cookies();

    const other = await page.context().newPage();
    await other.goto("/settings/tokens");
    await expect(other.locator("[data-live]")).toHaveAttribute("data-live", "connected");

    await page.getByRole("button", { name: "Sign out" }).click();
    await expect(page).toHaveURL(/\/sign-in/);
    // The other tab's stream ends with the session; the tab finds it is signed out and goes to sign in, to come back.
    await expect(other).toHaveURL(/\/sign-in\?callbackUrl=%2Fsettings%2Ftokens$/);
    await expect(other.getByRole("button", { name: "Sign in" })).toBeVisible();

    // Someone who copied the cookie before the sign-out gets nothing with it: no API answer, no page.
    const thief = await browser.newContext();
    await thief.addCookies(copied);
    expect((await thief.request.get("/api/users/me")).status()).toBe(401);
    const stolen = await thief.newPage();
    await stolen.goto("/");
    await expect(stolen).toHaveURL(/\/sign-in/);
    await thief.close();
  });

  test("a tab whose session ends after another tab signed in as someone else reloads as that person", async ({ page, request, baseURL }) => {
    const [alice, bob] = [uniqueName("ann"), uniqueName("bo")];
    for (const username of [alice, bob]) {
      expect((await request.post("/api/auth/register", { data: { username, password: PASSWORD } })).status()).toBe(201);
    }
    await page.goto("/sign-in");
    await page.getByLabel("Username").fill(alice);
    await page.getByLabel("Password").fill(PASSWORD);
    await page.getByRole("button", { name: "Sign in" }).click();
    await expect(page).toHaveURL("/");
    await expect(page.locator("[data-live]")).toHaveAttribute("data-live", "connected");
    const aliceCookie = (await page.context().cookies()).find((c) => c.name === "authjs.session-token")!;

    // Another tab of this browser signs in as Bob (through Auth.js's endpoints, as a form post would): the browser's
    // cookie is now Bob's, and Alice's session still stands.
    const browserRequest = page.context().request;
    const { csrfToken } = await (await browserRequest.get("/api/auth/csrf")).json();
    const signIn = await browserRequest.post("/api/auth/callback/credentials", { form: { csrfToken, username: bob, password: PASSWORD }, maxRedirects: 0 });
    expect(signIn.status()).toBe(302);

    // Alice's session ends elsewhere (her copy of the cookie signs out through Auth.js's endpoint).
    const csrf = await fetch(`${baseURL}/api/auth/csrf`);
    const csrfCookie = csrf.headers.getSetCookie().map((c) => c.split(";")[0]).join("; ");
    const signOut = await fetch(`${baseURL}/api/auth/signout`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", cookie: `${csrfCookie}; authjs.session-token=${aliceCookie.value}` },
      body: new URLSearchParams({ csrfToken: ((await csrf.json()) as { csrfToken: string }).csrfToken }),
      redirect: "manual",
    });
    expect(signOut.status).toBe(302);

    // Alice's tab must not go on with Bob's events in Alice's caches: it loads the page afresh, as Bob.
    await expect(page.getByTestId("signed-in-as")).toHaveText(bob);
    await expect(page).toHaveURL("/");
  });
});
