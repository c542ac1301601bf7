import { defineConfig } from "@playwright/test";

// The suite starts its own Watchpost on its own port and database, so it never
// touches a server you have running on :3000. `./dev test` sets these up.
const port = Number(process.env.WATCHPOST_E2E_PORT ?? 3100);
const baseURL = `http://127.0.0.1:${port}`;
const databaseUrl = process.env.WATCHPOST_E2E_DATABASE_URL;
if (!databaseUrl) {
  throw new Error("WATCHPOST_E2E_DATABASE_URL is not set; run the suite with ./dev test");
}

export default defineConfig({
  testDir: "./tests",
  // Users, and the admin's signed-in state that tests start from.
  globalSetup: "./global-setup.ts",
  timeout: 30_000,
  expect: { timeout: 10_000 },
  forbidOnly: true,
  retries: 0,
  workers: 2,
  reporter: [["list"]],
  outputDir: "test-results",
  use: {
    baseURL,
    storageState: ".auth/admin.json",
    browserName: "chromium",
    trace: "retain-on-failure",
    launchOptions: {
      // Debian's Chromium; Playwright's own browser download is not reachable here.
      executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
      // Without these, Chromium tries to reach Google at start-up and the
      // closed network refuses it noisily.
      args: [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
      ],
    },
  },
  webServer: {
    command: process.env.WATCHPOST_E2E_BIN ?? "target/debug/watchpost",
    cwd: "..",
    url: `${baseURL}/readyz`,
    reuseExistingServer: false,
    timeout: 60_000,
    stdout: "pipe",
    stderr: "pipe",
    env: {
      WATCHPOST_LISTEN: `127.0.0.1:${port}`,
      DATABASE_URL: databaseUrl,
      LEPTOS_SITE_ROOT: "target/site",
      WATCHPOST_LOG: "warn",
      // Calls to databases show on the map after 2 s instead of a minute.
      WATCHPOST_MAP_CALLER_GRACE: "2s",
      // Alerts fire within seconds of the data that causes them.
      WATCHPOST_ALERT_INTERVAL: "2s",
      // Ports of its own, so a Watchpost running on this machine is no obstacle.
      WATCHPOST_OTLP_HTTP_LISTEN: "127.0.0.1:0",
      WATCHPOST_OTLP_GRPC_LISTEN: "127.0.0.1:0",
    },
  },
});
