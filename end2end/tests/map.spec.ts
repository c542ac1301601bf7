import { expect, test } from "@playwright/test";

import { collectErrors, waitForHydration } from "./page";
import { hexId, pastWindow, sendTrace, type SpanSpec, traceRequest } from "./otlp";

/**
 * `count` checkouts: gateway → cart (which reads PostgreSQL, uninstrumented)
 * and gateway → pay, whose server spans all fail.
 */
function shopTraffic(startNs: bigint, count: number): SpanSpec[] {
  const spans: SpanSpec[] = [];
  for (let i = 0; i < count; i++) {
    const traceId = hexId(16);
    const at = startNs + BigInt(i) * 50_000_000n;
    const root = hexId(8);
    const toCart = hexId(8);
    const cart = hexId(8);
    const toPay = hexId(8);
    spans.push(
      { traceId, service: "gateway-map", spanId: root, name: "GET /checkout", kind: 2, startNs: at, durationNs: 90_000_000n },
      { traceId, service: "gateway-map", spanId: toCart, parentId: root, name: "GET /cart", kind: 3, startNs: at + 1_000_000n, durationNs: 30_000_000n },
      { traceId, service: "cart-map", spanId: cart, parentId: toCart, name: "GET /cart", kind: 2, startNs: at + 2_000_000n, durationNs: 28_000_000n },
      {
        traceId, service: "cart-map", spanId: hexId(8), parentId: cart, name: "SELECT carts", kind: 3,
        startNs: at + 3_000_000n, durationNs: 5_000_000n,
        attributes: [["db.system", "postgresql"], ["db.name", "carts"]],
      },
      { traceId, service: "gateway-map", spanId: toPay, parentId: root, name: "POST /pay", kind: 3, startNs: at + 40_000_000n, durationNs: 40_000_000n },
      { traceId, service: "pay-map", spanId: hexId(8), parentId: toPay, name: "POST /pay", kind: 2, startNs: at + 41_000_000n, durationNs: 38_000_000n, error: true },
    );
  }
  return spans;
}

test("the map shows nodes, edges and health; an edge lists its traces", async ({ page, request }) => {
  const errors = collectErrors(page);
  const window = pastWindow(160);
  await sendTrace(request, traceRequest(hexId(16), shopTraffic(window.startNs, 20)));

  // Edges are written every few seconds; calls to the database after the
  // caller grace (2 s in this suite).
  await expect(async () => {
    await page.goto(`/map?${window.query}&idle=show`);
    await expect(page.locator('[data-node="database:postgresql carts"]')).toHaveCount(1, { timeout: 1000 });
  }).toPass({ timeout: 30_000 });
  await waitForHydration(page);

  const map = page.getByTestId("service-map");
  await expect(map.locator('[data-node="gateway-map"]')).toHaveCount(1);
  await expect(map.locator('[data-edge="gateway-map→cart-map"]')).toHaveCount(1);
  await expect(map.locator('[data-edge="cart-map→database:postgresql carts"]')).toHaveCount(1);
  // Every call to pay fails: the node is red, and so is the edge.
  await expect(map.locator('[data-node="pay-map"]')).toHaveAttribute("data-health", "bad");
  await expect(map.locator('[data-edge="gateway-map→pay-map"]')).toHaveClass(/failing/);
  await expect(map.locator('[data-node="cart-map"]')).toHaveAttribute("data-health", "ok");

  // Clicking an edge lists the traces that crossed it, failing first.
  await map.locator('[data-edge="gateway-map→pay-map"] text').click();
  await expect(page).toHaveURL(/edge=/);
  const panel = page.getByTestId("map-panel");
  await expect(panel).toContainText("gateway-map → pay-map");
  await expect(panel.getByTestId("trace-list").locator("li")).toHaveCount(12);
  await expect(panel.getByTestId("trace-list").locator("li").first()).toContainText("errors");

  // Selecting a node shows its dependencies and dependants.
  await map.locator('[data-node="cart-map"] circle').click();
  await expect(panel).toContainText("Depends on");
  await expect(panel).toContainText("postgresql carts");
  await expect(panel).toContainText("gateway-map");
  await expect(map.locator('[data-node="gateway-map"] .node-role')).toHaveClass(/upstream/);

  // The service page lists the same dependencies.
  await panel.getByRole("link", { name: "Open the service page" }).click();
  await expect(page).toHaveURL(/\/services\/cart-map/);
  await expect(page.getByTestId("dependencies-table")).toContainText("postgresql carts");
  await expect(page.getByTestId("dependencies-table")).toContainText("database");
  expect(errors).toEqual([]);
});

test("focusing on a namespace keeps it and fades its neighbours", async ({ page, request }) => {
  const errors = collectErrors(page);
  const window = pastWindow(180);
  // web-ns (team-web) → api-ns (team-api) → store-ns (team-store)
  const spans: SpanSpec[] = [];
  const hops: [string, string, string, string][] = [
    ["web-ns", "team-web", "api-ns", "team-api"],
    ["api-ns", "team-api", "store-ns", "team-store"],
  ];
  for (let i = 0; i < 5; i++) {
    for (const [caller, callerNs, callee, calleeNs] of hops) {
      const traceId = hexId(16);
      const client = hexId(8);
      const at = window.startNs + BigInt(i) * 1_000_000_000n;
      spans.push(
        { traceId, service: caller, namespace: callerNs, spanId: client, name: "call", kind: 3, startNs: at, durationNs: 3_000_000n },
        { traceId, service: callee, namespace: calleeNs, spanId: hexId(8), parentId: client, name: "serve", kind: 2, startNs: at, durationNs: 2_000_000n },
      );
    }
  }
  await sendTrace(request, traceRequest(hexId(16), spans));
  await expect(async () => {
    await page.goto(`/map?${window.query}&idle=show`);
    // Nodes show from their own spans at once; wait for both edges too.
    await expect(page.locator('[data-edge$="-ns"]')).toHaveCount(2, { timeout: 1000 });
  }).toPass({ timeout: 30_000 });
  await waitForHydration(page);

  await page.locator('.namespace-filter [data-namespace="team-web"]').click();
  await expect(page).toHaveURL(/ns=team-web/);
  const map = page.getByTestId("service-map");
  await expect(map.locator('[data-node$="-ns"]')).toHaveCount(2);
  await expect(map.locator('[data-node="web-ns"]')).not.toHaveClass(/boundary/);
  await expect(map.locator('[data-node="api-ns"]')).toHaveClass(/boundary/);
  await expect(map.locator('[data-edge="api-ns→store-ns"]')).toHaveCount(0);

  // Adding a namespace widens the view; "All" brings the whole map back.
  await page.locator('.namespace-filter [data-namespace="team-store"]').click();
  await expect(map.locator('[data-node$="-ns"]')).toHaveCount(3);
  await expect(map.locator('[data-node="api-ns"]')).toHaveClass(/boundary/);
  await page.locator(".namespace-filter").getByRole("button", { name: "All" }).click();
  await expect(page).not.toHaveURL(/ns=/);
  await expect(map.locator(".node.boundary")).toHaveCount(0);
  expect(errors).toEqual([]);
});

test("a map of 200 services renders quickly", async ({ page, request }) => {
  const window = pastWindow(200);
  // 200 services in 10 tiers; each calls about five in the next tier down.
  const spans: SpanSpec[] = [];
  const name = (i: number) => `svc-${String(i).padStart(3, "0")}-big`;
  for (let i = 0; i < 180; i++) {
    for (let k = 0; k < 5; k++) {
      const callee = Math.min(199, (Math.floor(i / 20) + 1) * 20 + ((i * 7 + k * 13) % 20));
      const traceId = hexId(16);
      const client = hexId(8);
      const at = window.startNs + BigInt(i * 5 + k) * 1_000_000n;
      spans.push(
        { traceId, service: name(i), spanId: client, name: "call", kind: 3, startNs: at, durationNs: 2_000_000n },
        { traceId, service: name(callee), spanId: hexId(8), parentId: client, name: "serve", kind: 2, startNs: at, durationNs: 1_000_000n },
      );
    }
  }
  await sendTrace(request, traceRequest(hexId(16), spans));
  const url = `/map?${window.query}&idle=show`;
  await expect(async () => {
    await page.goto(url);
    await expect(page.locator('[data-node^="svc-"]')).toHaveCount(200, { timeout: 1000 });
  }).toPass({ timeout: 30_000 });

  // Timed: client-side navigation to the map, until every node is drawn.
  await page.goto("/services");
  await waitForHydration(page);
  const started = Date.now();
  await page.evaluate((target) => {
    const link = document.createElement("a");
    link.href = target;
    document.body.append(link);
    link.click();
  }, url);
  await expect(page.locator('[data-node^="svc-"]')).toHaveCount(200);
  const elapsed = Date.now() - started;
  console.log(`200-service map rendered in ${elapsed} ms`);
  test.info().annotations.push({ type: "render-ms", description: String(elapsed) });

  // 900 edges: labels show for the selection (or on hover, or zoomed in),
  // not all at once. svc-000 and svc-019 are both callers in the first
  // tier: neither is in the other's blast radius.
  const fromFirst = page.locator('[data-edge^="svc-000-big→"]').first();
  const fromOther = page.locator('[data-edge^="svc-019-big→"]').first();
  await expect(fromFirst.locator(".edge-label")).toBeHidden();
  await page.goto(`${url}&node=svc-019-big`);
  await expect(fromOther.locator(".edge-label")).toBeVisible();
  await expect(fromFirst.locator(".edge-label")).toBeHidden();
});
