import { createPerson, expect, PASSWORD, signIn, test } from "./fixtures";

const NEW_PASSWORD = "a brand new passphrase";

test.describe("account settings", () => {
  test("changing the password keeps this browser signed in, signs the other out, and the new password works", async ({ browser, request }) => {
    const ann = await createPerson(browser, request, "Ann");
    const other = await signIn(browser, ann.username);
    const { page } = ann;

    await page.getByRole("link", { name: "Account" }).click();
    await expect(page.getByRole("heading", { level: 1, name: "Account" })).toBeVisible();
    await page.getByLabel("Current password").fill("not my password");
    await page.getByLabel("New password").fill(NEW_PASSWORD);
    await page.getByRole("button", { name: "Change password" }).click();
    await expect(page.getByText("Wrong password.")).toBeVisible();
    await expect(page.getByLabel("Current password")).toBeFocused();

    await page.getByLabel("Current password").fill(PASSWORD);
    await page.getByRole("button", { name: "Change password" }).click();
    await expect(page.getByText("Password changed. Your other sessions were signed out.")).toBeVisible();
    await expect(page.getByLabel("Current password")).toHaveValue("");

    // This browser is still signed in; the other one is not, and signs in with the new password.
    await page.reload();
    await expect(page.getByRole("heading", { level: 1, name: "Account" })).toBeVisible();
    await other.page.reload();
    await expect(other.page).toHaveURL(/\/sign-in/);
    await other.context.close();
    const again = await signIn(browser, ann.username, NEW_PASSWORD);
    await expect(again.page.getByTestId("signed-in-as")).toHaveText(ann.name);
    await again.context.close();
    await ann.context.close();
  });

  test("signing out everywhere ends this browser's session, the other browser's and the API token", async ({ browser, request }) => {
    const bea = await createPerson(browser, request, "Bea");
    const other = await signIn(browser, bea.username);
    const { page } = bea;

    await page.getByRole("link", { name: "Account" }).click();
    await page.getByRole("button", { name: "Sign out everywhere" }).click();
    const dialog = page.getByRole("alertdialog", { name: "Sign out everywhere?" });
    await expect(dialog).toBeVisible();
    await dialog.getByRole("button", { name: "Sign out everywhere" }).click();
    await expect(page).toHaveURL(/\/sign-in/);

    await other.page.reload();
    await expect(other.page).toHaveURL(/\/sign-in/);
    const me = await request.get("/api/users/me", { headers: { authorization: `Bearer ${bea.token}` } });
    expect(me.status()).toBe(401);
    await other.context.close();
    await bea.context.close();
  });
});
