/**
 * A tour of `watchpost demo` on a 4-minute incident cycle: the first admin
 * is made from the setup link, the fleet's services appear, a trace opens,
 * the map shows the topology, the database's health check goes red, an
 * alert fires and is acknowledged, and everything resolves.
 *
 * It also takes the README's screenshots. With WATCHPOST_SCREENSHOTS_DIR
 * set (`./dev screenshots` sets it to end2end/screenshots) they are written
 * there; otherwise they are only attached to the test's results.
 */
import type { ChildProcess } from "node:child_process";
import { mkdirSync } from "node:fs";
import path from "node:path";

import { expect, test, type Page, type TestInfo } from "@playwright/test";

import { createFirstAdmin, startOwnServer } from "./own-server";
import { collectErrors, waitForHydration } from "./page";

const databaseUrl = process.env.WATCHPOST_E2E_DEMO_DATABASE_URL;
const port = 3100 + 60;
const base = `http://127.0.0.1:${port}`;
const CYCLE_SECONDS = 240;

test.use({ storageState: { cookies: [], origins: [] }, viewport: { width: 1280, height: 800 } });

let server: ChildProcess | undefined;
test.afterAll(() => server?.kill("SIGTERM"));

/** Starts `watchpost demo` and resolves with the first-run setup link. */
async function startDemo(url: string): Promise<string> {
  const own = await startOwnServer(["demo"], port, url, {
    WATCHPOST_DEMO_DATABASE_URL: url,
    WATCHPOST_DEMO_CYCLE: `${CYCLE_SECONDS}s`,
    WATCHPOST_ALERT_INTERVAL: "2s",
    WATCHPOST_MAP_CALLER_GRACE: "2s",
  });
  server = own.process;
  return own.setupLink;
}

async function screenshot(page: Page, info: TestInfo, name: string) {
  const body = await page.screenshot({ fullPage: false });
  await info.attach(name, { body, contentType: "image/png" });
  const dir = process.env.WATCHPOST_SCREENSHOTS_DIR;
  if (dir) {
    mkdirSync(dir, { recursive: true });
    await page.screenshot({ path: path.join(dir, `${name}.png`) });
  }
}

/** Reloads `url` until `check` passes: for pages that do not refresh themselves. */
async function untilShown(page: Page, url: string, check: () => Promise<void>, timeout: number) {
  await expect(async () => {
    await page.goto(url);
    await check();
  }).toPass({ timeout, intervals: [2_000] });
}

test("a tour of the demo fleet through one incident cycle", async ({ page }, info) => {
  test.skip(!databaseUrl, "needs WATCHPOST_E2E_DEMO_DATABASE_URL (an empty database; ./dev test makes one)");
  // One whole cycle: the incidents end at 45 % of it and the alerts need
  // up to two minutes of clean minute rollups to resolve.
  test.setTimeout((CYCLE_SECONDS + 90) * 1000);
  const errors = collectErrors(page);
  const link = await startDemo(databaseUrl!);

  // The first-run setup, then straight to the fleet.
  await createFirstAdmin(page, link, "demo-admin", "Dee Demo");

  // Services: the whole fleet, labelled as the demo's.
  const fleet = [
    "api-gateway", "auth-service", "user-service", "order-service",
    "payment-service", "notification-service", "database-service",
  ];
  await untilShown(page, `${base}/services?range=15m`, async () => {
    for (const service of fleet) {
      await expect(page.locator("table").getByRole("link", { name: service, exact: true })).toBeVisible({ timeout: 500 });
    }
  }, 30_000);
  await expect(page.getByTestId("demo-badge")).toBeVisible();

  // An order through the gateway (the longest journey) opens in the waterfall.
  await page.goto(`${base}/traces?service=api-gateway&operation=${encodeURIComponent("POST /api/orders")}&range=15m`);
  await waitForHydration(page);
  await page.locator("[data-trace-id]").first().getByRole("link").first().click();
  await expect(page).toHaveURL(/\/traces\/[0-9a-f]{32}/);
  await expect(page.getByTestId("span-row").first()).toBeVisible();
  expect(await page.getByTestId("span-row").count()).toBeGreaterThan(12);
  await screenshot(page, info, "trace");

  // The map: the fleet's topology, PostgreSQL and Redis included.
  const map = page.getByTestId("service-map");
  await untilShown(page, `${base}/map?range=15m`, async () => {
    await expect(map.locator('[data-edge="api-gateway→order-service"]')).toHaveCount(1, { timeout: 500 });
    await expect(map.locator('[data-edge="order-service→payment-service"]')).toHaveCount(1, { timeout: 500 });
    await expect(map.locator('[data-node="database:postgresql shop"]')).toHaveCount(1, { timeout: 500 });
    await expect(map.locator('[data-node="cache:redis cache"]')).toHaveCount(1, { timeout: 500 });
  }, 30_000);

  // The database incident (from 25 % of the cycle): its check goes red.
  const databaseCheck = page.locator('article.check-card[data-check="database-service health"]');
  await untilShown(page, `${base}/health`, async () => {
    await expect(databaseCheck.locator(".state-badge")).toHaveAttribute("data-state", /unreachable|unhealthy/, { timeout: 500 });
  }, CYCLE_SECONDS * 500);
  await expect(page.locator('article.check-card[data-check="order-service health"]')).toContainText("database-service");
  await screenshot(page, info, "health");

  // Alerts fire; the on-call engineer acknowledges the failing check.
  await page.goto(`${base}/alerts`);
  await waitForHydration(page);
  const checkAlert = page.locator("li.alert-card", { hasText: "Health check failing" }).filter({ hasText: "database-service" });
  await expect(checkAlert).toBeVisible({ timeout: 30_000 });
  // The callers' alerts (payments' errors, orders' latency) are folded
  // under the database: root-cause grouping over the service map.
  const callers = page.locator("details.impacted", { hasText: "payment-service" });
  await expect(callers).toBeVisible({ timeout: 30_000 });
  await expect(callers.locator(":scope > summary")).toContainText("order-service");
  await checkAlert.getByPlaceholder("Comment (optional)").fill("restarting the database");
  await checkAlert.getByRole("button", { name: "Acknowledge" }).click();
  await expect(checkAlert.getByTestId("acknowledged")).toContainText("Acknowledged by demo-admin");
  await callers.locator(":scope > summary").click();
  await screenshot(page, info, "alerts");

  // The map during the incident, for the README.
  await untilShown(page, `${base}/map?range=15m`, async () => {
    await expect(map.locator('[data-node="database-service"]')).toHaveAttribute("data-health", "bad", { timeout: 500 });
  }, 30_000);
  await screenshot(page, info, "map");
  // Services, now with a couple of minutes of traffic and the incidents.
  await page.goto(`${base}/services?range=15m`);
  await expect(page.locator("table").getByRole("link", { name: "payment-service", exact: true })).toBeVisible();
  await screenshot(page, info, "services");

  // Everything resolves before the next cycle.
  await page.goto(`${base}/alerts`);
  await waitForHydration(page);
  await expect(page.locator('li.alert-card[data-state="firing"]')).toHaveCount(0, { timeout: CYCLE_SECONDS * 1000 });
  await untilShown(page, `${base}/health`, async () => {
    await expect(databaseCheck.locator(".state-badge")).toHaveAttribute("data-state", "healthy", { timeout: 500 });
  }, 30_000);
  expect(errors).toEqual([]);
});
