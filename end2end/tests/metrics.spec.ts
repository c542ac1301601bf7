import { expect, test } from "@playwright/test";

import { collectErrors, waitForHydration } from "./page";

/** A memory gauge per pod, sent as OTLP/JSON to /v1/metrics. */
function memoryGauge(service: string) {
  const now = BigInt(Date.now()) * 1_000_000n;
  const points = [
    ["pod-a", 300e6],
    ["pod-b", 700e6],
  ].map(([pod, bytes]) => ({
    attributes: [{ key: "k8s.pod.name", value: { stringValue: pod } }],
    timeUnixNano: String(now - 60_000_000_000n),
    asDouble: bytes,
  }));
  return {
    resourceMetrics: [
      {
        resource: { attributes: [{ key: "service.name", value: { stringValue: service } }] },
        scopeMetrics: [
          {
            metrics: [
              { name: "process.memory.usage", unit: "By", gauge: { dataPoints: points } },
            ],
          },
        ],
      },
    ],
  };
}

test("the metrics page charts a service's metric, grouped by an attribute", async ({ page, request }) => {
  const service = `metered-${Date.now()}`;
  const sent = await request.post("/v1/metrics", {
    data: JSON.stringify(memoryGauge(service)),
    headers: { "content-type": "application/json" },
  });
  expect(sent.status()).toBe(200);

  const errors = collectErrors(page);
  await page.goto("/explore?range=1h");
  await waitForHydration(page);
  await page.getByLabel("Service").selectOption(service);
  await expect(page).toHaveURL(new RegExp(`service=${service}`));
  const chart = page.getByTestId("metric-chart");
  await expect(chart).toContainText("process.memory.usage · mean (By)");
  await expect(chart.locator(".legend-item")).toHaveText(["mean"]);

  await page.getByLabel("Group by").selectOption("k8s.pod.name");
  await expect(page).toHaveURL(/by=k8s\.pod\.name/);
  await expect(chart.locator(".legend-item")).toHaveText(["pod-a", "pod-b"]);
  expect(errors).toEqual([]);
});
