import { expect, test } from "@playwright/test";

import { hexId, sendTrace, traceRequest } from "./otlp";
import { collectErrors, waitForHydration } from "./page";

/** One server span of `service` named `name`, ending now. */
function spanOf(service: string, name: string) {
  const end = BigInt(Date.now()) * 1_000_000n;
  return traceRequest(hexId(16), [
    { service, spanId: hexId(8), name, kind: 2, startNs: end - 5_000_000n, durationNs: 5_000_000n },
  ]);
}

const LANGUAGES: Array<[string, string]> = [
  ["Node.js", "--require @opentelemetry/auto-instrumentations-node/register"],
  ["Java", "-javaagent:opentelemetry-javaagent.jar"],
  ["Go", "otlptracehttp.New(ctx)"],
  ["Rust", "Protocol::HttpBinary"],
  ["OpenTelemetry Collector", "otlphttp/watchpost:"],
  ["Python", "opentelemetry-instrument python"],
];

test("send data: the real endpoint per language, then the first span of a new service", async ({ page, request }) => {
  const errors = collectErrors(page);
  page.on("dialog", (dialog) => {
    errors.push(`dialog: ${dialog.message()}`);
    void dialog.dismiss();
  });
  // A service that reported before the page opened is not the one awaited.
  const earlier = `onboarding-old-${hexId(4)}`;
  await sendTrace(request, spanOf(earlier, "GET /"));
  await expect
    .poll(async () => (await request.post("/rpc/service_names", { form: {} })).json())
    .toContain(earlier);

  await page.goto("/");
  await waitForHydration(page);
  await page.getByRole("navigation", { name: "Sections" }).getByRole("link", { name: "Send data" }).click();
  await expect(page).toHaveURL(/\/send-data$/);
  await expect(page.getByRole("heading", { level: 1, name: "Send data" })).toBeVisible();

  // The suite binds OTLP on port 0: the page names the port it got.
  const endpoint = ((await page.getByTestId("otlp-http-endpoint").textContent()) ?? "").trim();
  expect(endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  expect(endpoint).not.toBe("http://127.0.0.1:4318");
  await expect(page.getByTestId("otlp-grpc-endpoint")).toHaveText(/^http:\/\/127\.0\.0\.1:\d+$/);
  await expect(page.getByTestId("key-not-required")).toBeVisible();
  const steps = page.getByTestId("setup-steps");
  await expect(steps).toContainText(`OTEL_EXPORTER_OTLP_ENDPOINT=${endpoint}`);
  await expect(steps).toContainText("OTEL_EXPORTER_OTLP_PROTOCOL=http/protobuf");
  await expect(steps).toContainText("pip install opentelemetry-distro");

  const tabs = page.getByRole("navigation", { name: "Language" });
  for (const [label, text] of LANGUAGES) {
    await tabs.getByRole("link", { name: label, exact: true }).click();
    await expect(tabs.getByRole("link", { name: label, exact: true })).toHaveAttribute("aria-current", "true");
    await expect(steps).toContainText(text);
    await expect(steps).toContainText(endpoint);
  }
  await expect(page).toHaveURL(/lang=python/);

  const waiting = page.getByTestId("first-span-waiting");
  await expect(waiting).toHaveText("Waiting for the first span…");
  await expect(page.locator(".first-span").getByRole("link", { name: /services? already reports?/ })).toHaveAttribute(
    "href",
    "/services",
  );

  // A new service's span, sent to the endpoint the page shows; its name
  // is markup that must stay text wherever it is shown.
  const service = `onboarding-${hexId(4)}`;
  const evil = "<img src=x onerror=alert(1)>";
  await sendTrace(request, spanOf(service, evil), endpoint);
  const arrived = page.locator(`[data-testid="first-span-arrived"][data-service="${service}"]`);
  await expect(arrived).toHaveText(service);
  await expect(waiting).toHaveCount(0);
  await expect(page.locator(`[data-service="${earlier}"]`)).toHaveCount(0);

  await arrived.click();
  await expect(page).toHaveURL(new RegExp(`/services/${service}$`));
  await expect(page.getByRole("heading", { level: 1, name: service })).toBeVisible();
  await expect(page.getByTestId("operations-table")).toContainText(evil);
  await expect(page.locator('img[src="x"]')).toHaveCount(0);
  expect(errors).toEqual([]);
});

test("send data works without the bundle: languages are links", async ({ browser }) => {
  const context = await browser.newContext({ javaScriptEnabled: false, storageState: ".auth/admin.json" });
  const page = await context.newPage();
  await page.goto("/send-data?lang=go");
  await expect(page.getByTestId("setup-steps")).toContainText("otlptracehttp");
  await expect(page.getByTestId("first-span-waiting")).toHaveText("Waiting for the first span…");
  await page.getByRole("navigation", { name: "Language" }).getByRole("link", { name: "Java", exact: true }).click();
  await expect(page).toHaveURL(/lang=java/);
  await expect(page.getByTestId("setup-steps")).toContainText("-javaagent:opentelemetry-javaagent.jar");
  await context.close();
});

test("send data hydrates when opened directly on a language", async ({ page }) => {
  const errors = collectErrors(page);
  await page.goto("/send-data?lang=rust");
  await waitForHydration(page);
  const steps = page.getByTestId("setup-steps");
  await expect(steps).toHaveAttribute("data-lang", "rust");
  await expect(steps).toContainText("cargo add opentelemetry-otlp --features http-proto");
  await page.getByRole("navigation", { name: "Language" }).getByRole("link", { name: "Go", exact: true }).click();
  await expect(steps).toHaveAttribute("data-lang", "go");
  await expect(page.getByTestId("first-span-waiting")).toBeVisible();
  expect(errors).toEqual([]);
});
