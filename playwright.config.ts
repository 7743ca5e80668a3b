import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { defineConfig, devices } from "@playwright/test";

// The database server comes from scripts/test.ts (`npm test`, `npm run test:e2e`), which starts a throw-away one when
// TEST_DATABASE_URL is not set. One line, no stack: this is a usage error.
if (!process.env.TEST_DATABASE_URL) {
  console.error("TEST_DATABASE_URL is not set: run the browser tests with `npm test` or `npm run test:e2e`, which provide the database.");
  process.exit(1);
}

// Two app instances of one build on one database, as behind a load balancer: live events posted to one must reach
// streams on the other (e2e/realtime.spec.ts). The database name is chosen once and kept in the environment, so that
// Playwright's worker processes, which load this file again, see the same one.
const PORT = Number(process.env.E2E_PORT ?? 3100);
const baseURL = `http://127.0.0.1:${PORT}`;
process.env.E2E_DATABASE ||= `parley_e2e_${randomBytes(4).toString("hex")}`;
process.env.E2E_SECOND_BASE_URL ||= `http://127.0.0.1:${PORT + 1}`;

/** One `scripts/e2e-server.ts` instance; `env` adds to the database name and the port. */
function appServer(name: string, url: string, timeout: number, env: Record<string, string> = {}) {
  return {
    name,
    command: "npx tsx --conditions=react-server scripts/e2e-server.ts",
    url: `${url}/sign-in`,
    // Presence times out after 6 s rather than a minute, so that the browser tests can watch someone go offline.
    // Idle keep-alive connections stay open for a minute rather than Node's 5 s: the tests' `request` fixture reuses
    // its connections after steps in the browser that take seconds, and a server closing one just as it is reused
    // fails that request with ECONNRESET (it did once, in CI) — what KEEP_ALIVE_TIMEOUT is for behind a load balancer.
    env: {
      PORT: new URL(url).port,
      E2E_DATABASE: process.env.E2E_DATABASE!,
      PRESENCE_TIMEOUT_MS: "6000",
      KEEP_ALIVE_TIMEOUT: "60000",
      ...env,
    },
    timeout,
    // Never reuse a server left running: it would be on another run's database.
    reuseExistingServer: false,
    stdout: "pipe" as const,
    stderr: "pipe" as const,
    gracefulShutdown: { signal: "SIGTERM" as const, timeout: 15_000 },
  };
}

// Debian's Chromium where it exists (these machines cannot download Playwright's browsers); Playwright's own
// browser elsewhere. The flags keep Chromium from reaching for the network at start.
const systemChromium = "/usr/bin/chromium";
const launchOptions = existsSync(systemChromium)
  ? {
      executablePath: systemChromium,
      args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
    }
  : {};

export default defineConfig({
  testDir: "e2e",
  fullyParallel: true,
  forbidOnly: !!process.env.CI,
  retries: 0,
  workers: process.env.CI ? 2 : undefined,
  reporter: process.env.CI ? [["list"], ["html", { open: "never" }]] : "list",
  timeout: 30_000,
  expect: { timeout: 10_000 },
  use: {
    baseURL,
    trace: "retain-on-failure",
    screenshot: "only-on-failure",
    launchOptions,
  },
  projects: [
    { name: "desktop", use: { ...devices["Desktop Chrome"], viewport: { width: 1280, height: 800 }, launchOptions } },
    {
      // The same flows on a phone-sized screen, where the list and the conversation are separate screens.
      name: "mobile",
      testMatch: /(accessibility|account|chat|groups|screens|tokens)\.spec\.ts/,
      use: { ...devices["Desktop Chrome"], viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, launchOptions },
    },
  ],
  // Playwright starts these one after the other, each once the previous one answers its `url` (its runner sets up
  // each webServer plugin in a sequential task loop and awaits its availability), and stops them in reverse order:
  // the first builds, creates the database and migrates it; the second starts from that build and joins it.
  webServer: [
    appServer("app-a", baseURL, 240_000),
    appServer("app-b", process.env.E2E_SECOND_BASE_URL, 60_000, { E2E_SKIP_BUILD: "1", E2E_JOIN_DATABASE: "1" }),
  ],
});
