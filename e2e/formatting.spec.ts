import type { Page, TestInfo } from "@playwright/test";
import { as, createPerson, expect, openThread, sendFromComposer, test } from "./fixtures";

// Messages are Markdown (a chat subset: components/chat/conversation/message-text.tsx); the API keeps the source.

const message = (page: Page, text: string) => page.getByTestId("message").filter({ hasText: text });

test.describe("formatted messages", () => {
  test("the Markdown subset renders as elements, in both bubbles, and the API keeps the source text", async ({ people, request }) => {
    const [alice, bob] = await people("Alice", "Bob");
    const threadId = await as(request, alice).createThread(bob);
    const sources = [
      "**bold words** and *slanted words* and ~~struck words~~ and `inline code`",
      "```\nconst answer = 42;\n  indented();\n```",
      "> a quoted line\n\nthe reply",
      "- apples\n- pears\n\n1. first step\n2. second step",
      "line one\nline two",
    ];
    for (const text of sources) await as(request, bob).send(threadId, text);
    await openThread(alice.page, threadId);
    // The same text through the composer, as alice's own (indigo) bubble.
    await sendFromComposer(alice.page, "**mine** too, with `code`");

    // Bob's messages, as Alice sees them (the grey bubbles), then her own.
    const page = alice.page;
    const inline = message(page, "bold words");
    await expect(inline.locator("strong")).toHaveText("bold words");
    await expect(inline.locator("em")).toHaveText("slanted words");
    await expect(inline.locator("del")).toHaveText("struck words");
    await expect(inline.locator("code")).toHaveText("inline code");
    // The markers themselves are not shown.
    await expect(inline.getByTestId("message-text")).toHaveText("bold words and slanted words and struck words and inline code");

    const block = message(page, "const answer");
    // Code keeps its whitespace, indentation included (toHaveText would collapse it).
    await expect(block.locator("pre > code")).toBeVisible();
    expect((await block.locator("pre").innerText()).replace(/\n$/, "")).toBe("const answer = 42;\n  indented();");

    const quote = message(page, "a quoted line");
    await expect(quote.locator("blockquote")).toHaveText("a quoted line");
    await expect(quote.locator("p").last()).toHaveText("the reply");

    const lists = message(page, "apples");
    await expect(lists.locator("ul > li")).toHaveText(["apples", "pears"]);
    await expect(lists.locator("ol > li")).toHaveText(["first step", "second step"]);

    // A single newline stays a line break.
    const lines = message(page, "line one");
    await expect(lines.locator("br")).toHaveCount(1);
    expect(await lines.getByTestId("message-text").innerText()).toBe("line one\nline two");

    const own = alice.page.locator('[data-testid="message"][data-own="true"][data-status="sent"]').filter({ hasText: "mine" });
    await expect(own.locator("strong")).toHaveText("mine");
    await expect(own.locator("code")).toHaveText("code");

    // The API answers the text as it was written.
    const texts = (await as(request, alice).messages(threadId)).map((m) => m.text);
    expect(texts.sort()).toEqual([...sources, "**mine** too, with `code`"].sort());
  });

  test("links: URLs in text become safe links, script URLs and HTML never become anything but text", async ({ people, request }) => {
    const [alice, bob] = await people("Alice", "Bob");
    const threadId = await as(request, alice).createThread(bob);
    const alerts: string[] = [];
    bob.page.on("dialog", (dialog) => {
      alerts.push(dialog.message());
      void dialog.dismiss();
    });
    const long = `https://example.com/${"a-very-long-path-segment/".repeat(8)}end`;
    await as(request, alice).send(threadId, `details at ${long} thanks`);
    await as(request, alice).send(threadId, "[click me](javascript:alert(1)) and [data](data:text/html,<b>x</b>)");
    await as(request, alice).send(threadId, "<img src=x onerror=alert(1)>");
    await as(request, alice).send(threadId, "# not a heading");
    await as(request, alice).send(threadId, "[the docs](https://example.org/docs) or mail me@example.com");
    await openThread(bob.page, threadId);

    const auto = message(bob.page, "details at");
    const link = auto.getByRole("link", { name: long });
    await expect(link).toHaveAttribute("href", long);
    await expect(link).toHaveAttribute("target", "_blank");
    await expect(link).toHaveAttribute("rel", "noopener noreferrer nofollow");
    // A long URL wraps inside its bubble rather than widening it past the conversation.
    const bubble = (await auto.getByTestId("message-text").boundingBox())!;
    const list = (await bob.page.getByTestId("message-list").boundingBox())!;
    expect(bubble.x + bubble.width).toBeLessThanOrEqual(list.x + list.width);

    const named = message(bob.page, "the docs");
    await expect(named.getByRole("link", { name: "the docs" })).toHaveAttribute("href", "https://example.org/docs");
    await expect(named.getByRole("link", { name: "me@example.com" })).toHaveAttribute("href", "mailto:me@example.com");

    const script = message(bob.page, "click me");
    await expect(script).toBeVisible();
    await expect(script.locator("a")).toHaveCount(0);
    await expect(script.getByTestId("message-text")).toHaveText("click me and data");

    const html = message(bob.page, "<img src=x onerror=alert(1)>");
    await expect(html.getByTestId("message-text")).toHaveText("<img src=x onerror=alert(1)>");
    await expect(bob.page.getByTestId("message-list").locator("img")).toHaveCount(0);

    const heading = message(bob.page, "# not a heading");
    await expect(heading.getByTestId("message-text")).toHaveText("# not a heading");
    await expect(heading.locator("h1, h2, h3, h4, h5, h6")).toHaveCount(0);

    // Clicking the harmless text does nothing either.
    await script.getByText("click me").click();
    expect(alerts).toEqual([]);
    expect((await as(request, bob).messages(threadId)).map((m) => m.text)).toContain("[click me](javascript:alert(1)) and [data](data:text/html,<b>x</b>)");
  });

  test("the thread list's preview leaves the Markdown out", async ({ people, request }) => {
    const [alice, bob] = await people("Alice", "Bob");
    const threadId = await as(request, alice).createThread(bob);
    await as(request, alice).send(threadId, "**Ship it** with `npm test` first");
    await bob.page.reload();
    const item = bob.page.locator(`[data-testid="thread-item"][data-thread-id="${threadId}"]`);
    await expect(item).toContainText("Ship it with npm test first");
  });
});

// Screenshots of formatted messages, own and others', desktop and phone, light and dark, saved under
// test-results/screens/ and attached to the report, as e2e/screens.spec.ts does for the main screens.
async function shoot(page: Page, testInfo: TestInfo, screen: string) {
  for (const colorScheme of ["light", "dark"] as const) {
    await page.emulateMedia({ colorScheme });
    const path = `test-results/screens/${screen}-${colorScheme}.png`;
    await page.screenshot({ path, animations: "disabled" });
    await testInfo.attach(`${screen}-${colorScheme}`, { path, contentType: "image/png" });
  }
  await page.emulateMedia({ colorScheme: "light" });
}

test("formatted conversation screens", async ({ browser, request }, testInfo) => {
  test.skip(testInfo.project.name !== "desktop", "takes the phone's screenshots itself");
  for (const [size, options] of [
    ["desktop", { viewport: { width: 1280, height: 800 } }],
    ["phone", { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true }],
  ] as const) {
    const alice = await createPerson(browser, request, "Alice", options);
    const bob = await createPerson(browser, request, "Bob", options);
    try {
      const threadId = await as(request, alice).createThread(bob);
      await as(request, bob).send(threadId, "The deploy is **done** — notes at https://example.com/releases/2026-12-05/notes-for-the-very-long-release-name");
      await as(request, alice).send(threadId, "Nice! Did you run `npm test` first?\nAnd ~~the old~~ the new migration?");
      await as(request, bob).send(threadId, "> Did you run `npm test` first?\n\nYes:\n```\n$ npm test\n  42 passed, 0 failed\n```");
      await as(request, alice).send(threadId, "Next steps:\n1. Tag the release\n2. Post in *#general*\n\n- see [the checklist](https://example.org/checklist)\n- ping me@example.com");
      await as(request, bob).send(threadId, "# not a heading, <b>not html</b>, and [no script](javascript:alert(1))");
      await openThread(alice.page, threadId);
      await expect(message(alice.page, "not a heading")).toBeVisible();
      await shoot(alice.page, testInfo, `${size}-formatting`);
    } finally {
      await Promise.all([alice.context.close(), bob.context.close()]);
    }
  }
});
