import type { Page } from "@playwright/test";
import { as, expect, test } from "./fixtures";

// Message search in the sidebar (issue 18): the box searches conversations by name and messages by content, results
// grouped by conversation with the matches marked; a result opens its conversation at the message; nothing from a
// conversation the searcher is not in ever shows.

/** Types `text` into the sidebar's search box (replacing what is there) and waits for the message results. */
async function search(page: Page, text: string) {
  const box = page.getByRole("searchbox", { name: "Search conversations and messages" });
  await box.fill(text);
  const results = page.getByTestId("message-search");
  await expect(results).toHaveAttribute("data-q", text.trim());
  await expect(results).toHaveAttribute("aria-busy", "false");
  return results;
}

test.describe("message search", () => {
  test("words, prefixes, Cyrillic, phrases and from:, grouped by conversation; a result opens the conversation at it", async ({
    people,
    request,
  }) => {
    // 65 sends and a dozen searches, each waited for: more than the default time on a loaded machine.
    test.slow();
    const [alice, bob, carol] = await people("Alice", "Bob", "Carol");
    const direct = await as(request, alice).createThread(bob);
    const group = await as(request, alice).createGroup("Launch crew", bob, carol);
    const secret = await as(request, alice).createThread(carol); // Bob is not in this one.
    // A unique word per run, so that other tests' messages never match.
    const word = `zebrafrost${Date.now().toString(36)}`;

    const deploy = await as(request, alice).send(direct, `The ${word} deployment finished at noon`);
    await as(request, bob).send(direct, "Привет, как дела?");
    await as(request, alice).send(direct, `the release notes are ready for ${word}`);
    await as(request, carol).send(group, `Checklist for the ${word} deployment`);
    await as(request, alice).send(secret, `secret ${word} deployment plan`);
    // Older history in the direct conversation, so that the first result is not on its newest page.
    for (let i = 1; i <= 60; i++) await as(request, alice).send(direct, `filler ${i}`);

    const page = bob.page;

    // A word: both conversations Bob is in, grouped, never Alice and Carol's own.
    let results = await search(page, word);
    await expect(results.getByTestId("search-group")).toHaveCount(2);
    await expect(results.locator(`[data-testid="search-group"][data-thread-id="${direct}"] [data-testid="search-result"]`)).toHaveCount(2);
    await expect(results.locator(`[data-testid="search-group"][data-thread-id="${group}"] [data-testid="search-result"]`)).toHaveCount(1);
    await expect(results.locator(`[data-thread-id="${secret}"]`)).toHaveCount(0);
    await expect(results).not.toContainText("secret");
    await expect(results.locator(`[data-testid="search-group"][data-thread-id="${group}"]`)).toContainText("Launch crew");
    await expect(results.locator("mark").first()).toHaveText(new RegExp(word, "i"));

    // Two words (all must appear), and a prefix of a word.
    results = await search(page, `${word} deplo`);
    await expect(results.getByTestId("search-result")).toHaveCount(2);
    await expect(results.locator("mark").filter({ hasText: /^deplo$/i })).toHaveCount(2);
    await expect(results.locator(`[data-thread-id="${secret}"]`)).toHaveCount(0);

    // Cyrillic, in lower case (written "Привет").
    results = await search(page, "привет");
    await expect(results.getByTestId("search-result").filter({ hasText: "как дела" })).toHaveCount(1);
    await expect(results.locator("mark").filter({ hasText: "Привет" }).first()).toBeVisible();

    // A phrase: these words together, in this order.
    results = await search(page, `"release notes" ${word}`);
    await expect(results.getByTestId("search-result")).toHaveCount(1);
    await expect(results.getByTestId("search-result")).toContainText("are ready");
    results = await search(page, `"notes release" ${word}`);
    await expect(results.getByTestId("search-empty")).toBeVisible();

    // from:@username: only Carol's messages (in the group Bob shares with her; not the conversation he is not in).
    results = await search(page, `from:@${carol.username}`);
    await expect(results.getByTestId("search-result")).toHaveCount(1);
    await expect(results.getByTestId("search-result")).toContainText("Checklist for the");
    await expect(results.locator(`[data-thread-id="${secret}"]`)).toHaveCount(0);

    // The Relevance order finds the same messages.
    results = await search(page, word);
    await results.getByRole("button", { name: "Relevance" }).click();
    await expect(results.getByRole("button", { name: "Relevance" })).toHaveAttribute("aria-pressed", "true");
    await expect(results.getByTestId("search-result")).toHaveCount(3);

    // A result opens its conversation at the message (more than a page back), highlighted.
    await results.locator(`[data-testid="search-result"][data-message-id="${deploy.id}"]`).click();
    await expect(page).toHaveURL(`/t/${direct}`);
    const log = page.getByTestId("message-list");
    await expect(log.locator(`[data-message-id="${deploy.id}"]`)).toBeInViewport();
    await expect(log.locator(`[data-anchor]:has([data-message-id="${deploy.id}"])`)).toHaveAttribute("data-jump-target", "true");
    await expect(page.getByRole("button", { name: "Jump to present" })).toBeVisible();

    // The search stays; "Search in conversation" narrows it to the open one.
    await page.getByRole("button", { name: "Search in conversation" }).click();
    const box = page.getByRole("searchbox", { name: "Search conversations and messages" });
    await expect(box).toBeFocused();
    await expect(box).toHaveValue(`in:${direct} `);
    await expect(page.getByTestId("search-scope")).toContainText(`In ${alice.name}`);
    await box.pressSequentially(word);
    results = page.getByTestId("message-search");
    await expect(results.getByTestId("search-group")).toHaveCount(1);
    await expect(results.getByTestId("search-result")).toHaveCount(2);

    // From the keyboard: down from the box to the first result, Enter opens it (in the open conversation: a jump).
    await box.press("ArrowDown");
    const first = results.getByTestId("search-result").first();
    await expect(first).toBeFocused();
    const firstId = await first.getAttribute("data-message-id");
    await page.keyboard.press("Enter");
    await expect(log.locator(`[data-message-id="${firstId}"]`)).toBeInViewport();
  });

  test("the search box still finds conversations by name, and says when no message matches", async ({ people, request }) => {
    const [alice, bob] = await people("Alice", "Bob");
    const direct = await as(request, alice).createThread(bob);
    await as(request, alice).send(direct, "hello there");
    const results = await search(bob.page, alice.username);
    await expect(bob.page.getByTestId("conversation-search").locator(`[data-thread-id="${direct}"]`)).toBeVisible();
    await expect(results.getByTestId("search-empty")).toContainText(`No messages match “${alice.username}”.`);
    await bob.page.getByRole("searchbox", { name: "Search conversations and messages" }).press("Escape");
    await expect(bob.page.getByTestId("message-search")).toHaveCount(0);
    await expect(bob.page.locator(`[data-testid="thread-item"][data-thread-id="${direct}"]`)).toBeVisible();
  });
});
