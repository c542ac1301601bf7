import { expect, test } from "@playwright/test";

import { collectErrors, waitForHydration } from "./page";
import { hexId, pastWindow, sendTrace, type SpanSpec, traceRequest } from "./otlp";

/** A small checkout trace in services of this test's own. */
function checkoutTrace(suffix: string, startNs: bigint) {
  const traceId = hexId(16);
  const root = hexId(8);
  const charge = hexId(8);
  const spans: SpanSpec[] = [
    {
      service: `shop-${suffix}`, spanId: root, name: "POST /checkout", kind: 2,
      startNs, durationNs: 250_000_000n,
      attributes: [["http.request.method", "POST"], ["http.response.status_code", 200]],
    },
    {
      service: `shop-${suffix}`, spanId: hexId(8), parentId: root, name: "load cart", kind: 1,
      startNs: startNs + 5_000_000n, durationNs: 20_000_000n,
    },
    {
      service: `payments-${suffix}`, spanId: charge, parentId: root, name: "charge card", kind: 2,
      startNs: startNs + 40_000_000n, durationNs: 180_000_000n,
      attributes: [["payment.provider", "acme-pay"], ["amount", 12.5]], error: true,
    },
  ];
  return { traceId, body: traceRequest(traceId, spans) };
}

test("search by service, open a trace, expand a span and read an attribute", async ({ page, request }) => {
  const errors = collectErrors(page);
  const window = pastWindow(0);
  const { traceId, body } = checkoutTrace("search", window.startNs);
  await sendTrace(request, body);

  await page.goto(`/traces?${window.query}`);
  await waitForHydration(page);
  await page.locator("#search-service").selectOption("shop-search");
  await page.getByRole("button", { name: "Find traces" }).click();
  await expect(page).toHaveURL(/service=shop-search/);
  const item = page.locator(`[data-trace-id="${traceId}"]`);
  await expect(item).toContainText("shop-search: POST /checkout");
  await expect(item).toContainText("3 spans");
  await item.getByRole("link").click();

  await expect(page).toHaveURL(new RegExp(`/traces/${traceId}`));
  await waitForHydration(page);
  const rows = page.getByTestId("span-row");
  await expect(rows).toHaveCount(3);
  // Collapsing the root hides its children; expanding brings them back.
  const rootToggle = rows.first().getByRole("button", { name: "Show or hide child spans" });
  await rootToggle.click();
  await expect(rows).toHaveCount(1);
  await rootToggle.click();
  await expect(rows).toHaveCount(3);

  await page.locator('[data-span-name="charge card"]').click();
  const detail = page.getByTestId("span-detail");
  await expect(detail).toContainText("payments-search");
  await expect(detail.getByTestId("attribute-value").filter({ hasText: "acme-pay" })).toBeVisible();
  await expect(detail).toContainText("ERROR: failed");
  // The selected span is part of the link: reloading shows it again.
  await expect(page).toHaveURL(/span=[0-9a-f]{16}/);
  await page.reload();
  await waitForHydration(page);
  await expect(page.getByTestId("span-detail")).toContainText("acme-pay");
  await page.getByRole("button", { name: "Close span details" }).click();
  await expect(page.getByTestId("span-detail")).toHaveCount(0);
  await expect(page).not.toHaveURL(/span=/);
  expect(errors).toEqual([]);
});

test("clicking a dot in the scatter plot opens its trace", async ({ page, request }) => {
  const window = pastWindow(20);
  const { traceId, body } = checkoutTrace("scatter", window.startNs);
  await sendTrace(request, body);

  await page.goto(`/traces?service=shop-scatter&${window.query}`);
  await waitForHydration(page);
  const dot = page.getByTestId("scatter-dot");
  await expect(dot).toHaveCount(1);
  await dot.click();
  await expect(page).toHaveURL(new RegExp(`/traces/${traceId}`));
  await expect(page.getByTestId("span-row")).toHaveCount(3);
});

test("span names and attribute values are shown as text, never run", async ({ page, request }) => {
  const window = pastWindow(40);
  const traceId = hexId(16);
  const hostile = "<img src=x onerror=alert(1)>";
  await sendTrace(
    request,
    traceRequest(traceId, [
      {
        service: "xss-e2e", spanId: hexId(8), name: hostile, kind: 2,
        startNs: window.startNs, durationNs: 1_000_000n,
        attributes: [["note", "<script>window.__xss = 1</script><img src=x onerror=alert(2)>"]],
      },
    ]),
  );
  let dialogs = 0;
  page.on("dialog", async (dialog) => {
    dialogs++;
    await dialog.dismiss();
  });

  await page.goto(`/traces/${traceId}`);
  await waitForHydration(page);
  const row = page.getByTestId("span-row");
  await expect(row).toContainText(hostile);
  await row.click();
  await expect(page.getByTestId("attribute-value").first()).toHaveText(
    "<script>window.__xss = 1</script><img src=x onerror=alert(2)>",
  );
  // Search results and the page title show it as text too.
  await page.goto(`/traces?service=xss-e2e&${window.query}`);
  await waitForHydration(page);
  await expect(page.getByTestId("trace-list")).toContainText(hostile);

  expect(await page.locator('img[src="x"]').count()).toBe(0);
  expect(await page.locator("main script").count()).toBe(0);
  expect(await page.evaluate(() => (window as unknown as { __xss?: number }).__xss)).toBeUndefined();
  expect(dialogs).toBe(0);
});

test("bad search input gets a message next to the field", async ({ page }) => {
  await page.goto("/traces?minDuration=abc&limit=0");
  await waitForHydration(page);
  await expect(page.getByTestId("error-minDuration")).toContainText('invalid duration "abc"');
  await expect(page.getByTestId("error-limit")).toContainText("from 1 to");
  await expect(page.locator("#search-min")).toHaveValue("abc");
  await expect(page.getByTestId("trace-list")).toHaveCount(0);
});

test("a trace can be opened by id from the header", async ({ page, request }) => {
  const window = pastWindow(60);
  const { traceId, body } = checkoutTrace("lookup", window.startNs);
  await sendTrace(request, body);
  await page.goto("/services");
  await waitForHydration(page);
  await page.getByLabel("Trace id").fill(` ${traceId.toUpperCase()} `);
  await page.getByLabel("Trace id").press("Enter");
  await expect(page).toHaveURL(new RegExp(`/traces/${traceId}$`));
  await expect(page.getByTestId("span-row")).toHaveCount(3);
});

test("a trace of 10,000 spans renders quickly and only the rows in view", async ({ page, request }) => {
  const window = pastWindow(80);
  const traceId = hexId(16);
  const root = hexId(8);
  const spans: SpanSpec[] = [
    { service: "big-e2e", spanId: root, name: "batch", kind: 2, startNs: window.startNs, durationNs: 10_000_000_000n },
  ];
  for (let i = 1; i < 10_000; i++) {
    spans.push({
      service: i % 2 ? "big-e2e" : "big-worker-e2e",
      spanId: hexId(8),
      parentId: root,
      name: `item ${i}`,
      kind: 1,
      startNs: window.startNs + BigInt(i) * 1_000_000n,
      durationNs: 900_000n,
      attributes: [["item.index", i]],
    });
  }
  await sendTrace(request, traceRequest(traceId, spans));

  await page.goto("/services");
  await waitForHydration(page);
  // Client-side navigation: fetch, decode and render 10,000 spans.
  const started = Date.now();
  await page.getByLabel("Trace id").fill(traceId);
  await page.getByLabel("Trace id").press("Enter");
  await expect(page.getByTestId("span-row").first()).toBeVisible();
  const elapsed = Date.now() - started;
  console.log(`10,000-span trace rendered in ${elapsed} ms`);
  test.info().annotations.push({ type: "render-ms", description: String(elapsed) });

  const rendered = await page.getByTestId("span-row").count();
  expect(rendered).toBeLessThan(200);
  await expect(page.getByTestId("trace-summary")).toContainText("10000");
  // Scrolling to the end brings the last spans into the DOM.
  await page.locator(".waterfall-body").evaluate((el) => { el.scrollTop = el.scrollHeight; });
  await expect(page.locator('[data-span-name="item 9999"]')).toBeVisible();
});
