/**
 * Playwright fixtures for chat flows: people created through the API, each signed in through the real sign-in form
 * in a browser context of their own, plus a bearer token for seeding data quickly.
 */
import { type APIRequestContext, type Browser, type BrowserContext, expect, type Page, test as base } from "@playwright/test";
import { randomBytes } from "node:crypto";
import pg from "pg";

export const PASSWORD = "correct horse battery";

export interface Person {
  id: string;
  username: string;
  name: string;
  token: string;
  context: BrowserContext;
  page: Page;
}

export const uniqueName = (p: string) => `${p}_${randomBytes(4).toString("hex")}`;

/** Registers a person, gets them a token, and signs them in through the form in a new browser context. */
export async function createPerson(browser: Browser, request: APIRequestContext, first: string, contextOptions = {}): Promise<Person> {
  const username = uniqueName(first.toLowerCase());
  const name = `${first} ${username.slice(-4).toUpperCase()}`;
  const reg = await request.post("/api/auth/register", { data: { username, password: PASSWORD, name } });
  expect(reg.status()).toBe(201);
  const tok = await request.post("/api/tokens", { data: { username, password: PASSWORD, name: "e2e" } });
  expect(tok.status()).toBe(201);
  const { context, page } = await signIn(browser, username, PASSWORD, contextOptions);
  return { id: (await reg.json()).id, username, name, token: (await tok.json()).token, context, page };
}

/** Signs `username` in through the form in a new browser context (another browser of theirs), on the home page. */
export async function signIn(browser: Browser, username: string, password = PASSWORD, contextOptions = {}) {
  const context = await browser.newContext(contextOptions);
  const page = await context.newPage();
  await page.goto("/sign-in");
  await page.getByLabel("Username").fill(username);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).toHaveURL("/");
  return { context, page };
}

/** API calls as a person (bearer token). */
export function as(request: APIRequestContext, who: Person) {
  const headers = { authorization: `Bearer ${who.token}` };
  return {
    createThread: async (...others: Person[]) => {
      const res = await request.post("/api/threads", { headers, data: { participantIds: others.map((o) => o.id) } });
      expect([200, 201]).toContain(res.status());
      return (await res.json()).id as string;
    },
    createGroup: async (title: string, ...others: Person[]) => {
      const res = await request.post("/api/threads", { headers, data: { participantIds: others.map((o) => o.id), title } });
      expect(res.status()).toBe(201);
      return (await res.json()).id as string;
    },
    send: async (threadId: string, text: string) => {
      const res = await request.post(`/api/threads/${threadId}/messages`, { headers, data: { text } });
      expect(res.status()).toBe(201);
      return res.json();
    },
    messages: async (threadId: string) => {
      const res = await request.get(`/api/threads/${threadId}/messages?limit=100`, { headers });
      expect(res.status()).toBe(200);
      return (await res.json()).data as { id: string; text: string; clientMessageId: string | null }[];
    },
    unread: async () => (await (await request.get("/api/unread", { headers })).json()) as { total: number },
  };
}

/**
 * Makes `who` an admin of the instance, straight in the database of this run (playwright.config.ts names it in
 * `E2E_DATABASE` on the server of `TEST_DATABASE_URL`): nobody is an admin in a fresh database, and granting the role
 * takes one. Their token then reaches the admin operations.
 */
export async function promoteToAdmin(who: Pick<Person, "id">): Promise<void> {
  const server = process.env.TEST_DATABASE_URL;
  const database = process.env.E2E_DATABASE;
  if (!server || !database) throw new Error("TEST_DATABASE_URL and E2E_DATABASE are set by playwright.config.ts.");
  const url = new URL(server);
  url.pathname = `/${encodeURIComponent(database)}`;
  const client = new pg.Client({ connectionString: url.toString() });
  await client.connect();
  try {
    const res = await client.query("UPDATE users SET role = 'admin' WHERE id = $1", [who.id]);
    expect(res.rowCount).toBe(1);
  } finally {
    await client.end();
  }
}

/** True when the page is laid out as a phone (the list and the conversation are separate screens). */
export const isNarrow = (page: Page) => (page.viewportSize()?.width ?? 1280) < 768;

/** Opens a thread from the thread list, as a person would. */
export async function openThread(page: Page, threadId: string) {
  if (isNarrow(page) && !page.url().endsWith("/")) {
    await page.getByRole("link", { name: "Back to conversations" }).click();
  }
  await page.locator(`[data-testid="thread-item"][data-thread-id="${threadId}"]`).click();
  await expect(page).toHaveURL(`/t/${threadId}`);
  await expect(page.getByTestId("message-list")).toBeVisible();
}

/** The composer of the open conversation: type and press Enter. */
export async function sendFromComposer(page: Page, text: string) {
  const box = page.getByRole("textbox", { name: "Message" });
  await box.fill(text);
  await box.press("Enter");
}

/** Creates one signed-in person per name, in parallel: `const [alice, bob] = await people("Alice", "Bob")`. */
type People = <const N extends readonly string[]>(...names: N) => Promise<{ -readonly [K in keyof N]: Person }>;

export const test = base.extend<{ people: People }>({
  people: async ({ browser, request }, provide, testInfo) => {
    const created: Person[] = [];
    const options = testInfo.project.use.viewport ? { viewport: testInfo.project.use.viewport, isMobile: testInfo.project.use.isMobile, hasTouch: testInfo.project.use.hasTouch } : {};
    const people = async (...names: readonly string[]) => {
      const list = await Promise.all(names.map((n) => createPerson(browser, request, n, options)));
      created.push(...list);
      return list;
    };
    await provide(people as People);
    await Promise.all(created.map((p) => p.context.close()));
  },
});
export { expect };
