import { readFile } from "node:fs/promises";
import { as, createPerson, expect, openThread, PASSWORD, signIn, test } from "./fixtures";

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
    // The other browser's event stream ends with `unauthorized`, and its tab goes to the sign-in page by itself.
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

    // The other browser's event stream ends with `unauthorized`, and its tab goes to the sign-in page by itself.
    await expect(other.page).toHaveURL(/\/sign-in/);
    const me = await request.get("/api/users/me", { headers: { authorization: `Bearer ${bea.token}` } });
    expect(me.status()).toBe(401);
    await other.context.close();
    await bea.context.close();
  });

  test("deleting the account needs the password, signs out, and leaves a Deleted user in the other's conversation", async ({ browser, request }) => {
    const [dan, eve] = [await createPerson(browser, request, "Dan"), await createPerson(browser, request, "Eve")];
    const threadId = await as(request, dan).createThread(eve);
    await as(request, dan).send(threadId, "Goodbye, Eve");
    const { page } = dan;

    await page.getByRole("link", { name: "Account" }).click();
    const section = page.getByRole("region", { name: "Delete account" });
    await section.getByLabel("Password").fill("not my password");
    await section.getByRole("button", { name: "Delete account" }).click();
    await page.getByRole("alertdialog", { name: "Delete your account?" }).getByRole("button", { name: "Delete account" }).click();
    await expect(section.getByText("Wrong password.")).toBeVisible();
    await expect(section.getByLabel("Password")).toBeFocused();

    await section.getByLabel("Password").fill(PASSWORD);
    await section.getByRole("button", { name: "Delete account" }).click();
    await page.getByRole("alertdialog", { name: "Delete your account?" }).getByRole("button", { name: "Delete account" }).click();
    await expect(page).toHaveURL(/\/sign-in/);

    await openThread(eve.page, threadId);
    await expect(eve.page.getByTestId("message").filter({ hasText: "Goodbye, Eve" })).toBeVisible();
    await expect(eve.page.getByRole("heading", { name: "Deleted user" }).first()).toBeVisible();
    await dan.context.close();
    await eve.context.close();
  });

  test("downloading my data saves a JSON file with my account and my conversations", async ({ browser, request }) => {
    const [fay, gus] = [await createPerson(browser, request, "Fay"), await createPerson(browser, request, "Gus")];
    const threadId = await as(request, gus).createThread(fay);
    await as(request, gus).send(threadId, "Exported hello");
    const { page } = fay;

    await page.getByRole("link", { name: "Account" }).click();
    const [download] = await Promise.all([page.waitForEvent("download"), page.getByRole("link", { name: "Download my data" }).click()]);
    expect(download.suggestedFilename()).toMatch(/^parley-export-\d{4}-\d{2}-\d{2}\.json$/);
    const data = JSON.parse(await readFile(await download.path(), "utf8"));
    expect(data.account.username).toBe(fay.username);
    expect(data.threads).toHaveLength(1);
    expect(data.threads[0].messages.map((m: { text: string }) => m.text)).toEqual(["Exported hello"]);
    await fay.context.close();
    await gus.context.close();
  });
});

