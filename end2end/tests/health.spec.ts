import { createServer } from "node:http";
import type { AddressInfo } from "node:net";

import { expect, test } from "@playwright/test";

import { collectErrors, waitForHydration } from "./page";

/** A health endpoint of the test's own on a free port: healthy, with two dependencies. */
async function startTarget(): Promise<{ url: string; close: () => void }> {
  const server = createServer((_request, response) => {
    response.writeHead(200, { "content-type": "application/json" });
    response.end(
      JSON.stringify({
        status: "healthy",
        version: "1.4.2",
        dependencies: { postgres: { status: "healthy" }, redis: { status: "degraded" } },
      }),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/health`, close: () => server.close() };
}

test("a check made in the form turns healthy and shows its uptime bar and dependencies", async ({ page }) => {
  const errors = collectErrors(page);
  const target = await startTarget();
  const name = `orders e2e ${Date.now()}`;
  await page.goto("/health/new");
  await waitForHydration(page);
  await page.getByLabel("Name", { exact: true }).fill(name);
  await page.getByLabel("Service", { exact: true }).fill("orders-e2e");
  await page.getByLabel("URL", { exact: true }).fill(target.url);

  // Bad input is refused next to its field, before anything is saved.
  await page.getByLabel("Interval", { exact: true }).fill("500ms");
  await page.getByRole("button", { name: "Add check" }).click();
  await expect(page.getByTestId("error-interval")).toContainText("1s");
  await expect(page).toHaveURL(/\/health\/new/);

  await page.getByLabel("Interval", { exact: true }).fill("1s");
  await page.getByLabel("Timeout", { exact: true }).fill("1s");
  await page.getByRole("button", { name: "Add check" }).click();
  await expect(page).toHaveURL(/\/health\/\d+$/);

  // The page refreshes itself: the first result arrives within a second.
  await expect(page.locator(".check-heading .state-badge")).toHaveText("healthy", { timeout: 20_000 });
  const dependencies = page.getByTestId("dependencies");
  await expect(dependencies.locator('tr[data-dependency="postgres"] .state-badge')).toHaveText("healthy");
  await expect(dependencies.locator('tr[data-dependency="redis"] .state-badge')).toHaveText("degraded");
  await expect(page.getByTestId("uptime-bar").locator(".slot.healthy").first()).toBeVisible();
  await expect(page.getByTestId("recent-results")).toContainText("200");

  // The grid shows it with its state, latency and bar; the state filter keeps it.
  await page.goto("/health?state=healthy");
  await waitForHydration(page);
  const card = page.locator(`article[data-check="${name}"]`);
  await expect(card.locator(".state-badge")).toHaveText("healthy");
  await expect(card.locator(".uptime-bar .slot.healthy").first()).toBeVisible();
  await page.getByTestId("state-filter").selectOption("unreachable");
  await expect(card).toHaveCount(0);

  // Paused from its page, it says so.
  await page.goto("/health");
  await waitForHydration(page);
  await page.locator(`article[data-check="${name}"] a.check-name`).click();
  await page.getByTestId("pause-check").click();
  await expect(page.locator(".check-heading .state-badge")).toHaveText("paused");
  target.close();
  expect(errors).toEqual([]);
});

test("the public status page shows the chosen checks, as text, and nothing else", async ({ page, request }) => {
  const stamp = Date.now();
  const shown = `<img src=x onerror=window.pwned=1> Public ${stamp}`;
  const hidden = `Internal ${stamp}`;
  for (const [name, isPublic] of [[shown, true], [hidden, false]] as const) {
    const response = await request.post("/api/v1/checks", {
      data: {
        name,
        service: "ledger-secret",
        type: "tcp",
        target: "127.0.0.1:9",
        public: isPublic,
        paused: true,
      },
    });
    expect(response.status()).toBe(201);
  }
  await page.goto("/status");
  await waitForHydration(page);
  const row = page.locator("li", { hasText: `Public ${stamp}` });
  await expect(row.locator("strong")).toHaveText(shown);
  await expect(row.getByTestId("uptime-bar").locator(".slot")).toHaveCount(90);
  await expect(page.getByText(hidden)).toHaveCount(0);
  await expect(page.getByText("ledger-secret")).toHaveCount(0);
  await expect(page.locator("header.topbar")).toHaveCount(0);
  expect(await page.evaluate(() => (window as unknown as { pwned?: number }).pwned)).toBeUndefined();
});
