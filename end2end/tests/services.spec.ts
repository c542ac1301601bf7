import { expect, test } from "@playwright/test";

import { waitForHydration } from "./page";
import { hexId, pastWindow, sendTrace, type SpanSpec, traceRequest } from "./otlp";

/** `count` requests to `service` (a trace each), `failing` of them errors, each `ms` long. */
function requests(service: string, startNs: bigint, count: number, failing: number, ms: number): SpanSpec[] {
  return Array.from({ length: count }, (_, i) => ({
    traceId: hexId(16),
    service,
    spanId: hexId(8),
    name: "GET /items",
    kind: 2,
    startNs: startNs + BigInt(i) * 10_000_000n,
    durationNs: BigInt(ms) * 1_000_000n,
    error: i < failing,
  }));
}

test("the services table shows rate, errors and latency, sorts and filters", async ({ page, request }) => {
  const window = pastWindow(120);
  const spans = [
    ...requests("alpha-red", window.startNs, 40, 10, 30),
    ...requests("beta-red", window.startNs, 10, 0, 400),
  ];
  await sendTrace(request, traceRequest(hexId(16), spans));

  await page.goto(`/services?${window.query}&q=-red`);
  await waitForHydration(page);
  const table = page.getByTestId("services-table");
  const alpha = table.locator('tr[data-service="alpha-red"]');
  await expect(alpha).toContainText("25%");
  // Percentiles come from sketches: within 1 % of the true value.
  await expect(alpha).toContainText(/(29\.\d|30\.\d)ms/);
  await expect(table.locator('tr[data-service="beta-red"]')).toContainText(/(39\d|40\d)ms/);
  await expect(alpha.locator("svg.sparkline")).toHaveCount(1);

  // Sorting by p95 puts the slow service first; the order is in the URL.
  await page.locator('button[data-sort="p95"]').click();
  await expect(page).toHaveURL(/sort=p95/);
  await expect(table.locator("tbody tr").first()).toHaveAttribute("data-service", "beta-red");
  await page.locator('button[data-sort="p95"]').click();
  await expect(table.locator("tbody tr").first()).toHaveAttribute("data-service", "alpha-red");

  // The filter box narrows the table and is kept in the URL.
  await page.getByPlaceholder("Filter services").fill("beta");
  await expect(page).toHaveURL(/q=beta/);
  await expect(table.locator("tbody tr")).toHaveCount(1);

  // The service page: figures, charts, operations, and its slowest traces.
  await table.getByRole("link", { name: "beta-red" }).click();
  await expect(page).toHaveURL(/\/services\/beta-red/);
  await expect(page.locator(".figures")).toContainText(/(39\d|40\d)ms/);
  await expect(page.locator("figure.chart")).toHaveCount(3);
  await expect(page.getByTestId("operations-table")).toContainText("GET /items");
  await expect(page.getByTestId("trace-list").last()).toContainText("beta-red: GET /items");
});
