import { expect, type Page, test } from "@playwright/test";

import { collectErrors, waitForHydration } from "./page";

// Health is about probing, not about sending data, and other tests add checks to it.
// Alerts are live, not over a time range, and other tests make them fire.
const sections = [
  { link: "Services", path: "/services", sendDataHelp: true, ranged: true },
  { link: "Traces", path: "/traces", sendDataHelp: true, ranged: true },
  { link: "Service map", path: "/map", sendDataHelp: true, ranged: true },
  { link: "Health", path: "/health", sendDataHelp: false, ranged: true },
  { link: "Alerts", path: "/alerts", sendDataHelp: false, ranged: false },
];

/** A window before anything the suite sends, so every section is empty. */
const EMPTY_WINDOW = "from=2001-01-01T00:00:00Z&to=2001-01-01T01:00:00Z";

function nav(page: Page) {
  return page.getByRole("navigation", { name: "Sections" });
}

test("the home page links to every section, and each renders its empty state", async ({ page }) => {
  const errors = collectErrors(page);
  await page.goto(`/?${EMPTY_WINDOW}`);
  await waitForHydration(page);
  await expect(page.getByRole("heading", { level: 1, name: "Services", exact: true })).toBeVisible();

  for (const section of sections) {
    const link = nav(page).getByRole("link", { name: section.link, exact: true });
    await link.click();
    // Links carry the time range along.
    await expect(page).toHaveURL(`${section.path}?${EMPTY_WINDOW}`);
    await expect(page.getByRole("heading", { level: 1, name: section.link, exact: true })).toBeVisible();
    await expect(page).toHaveTitle(`${section.link} · Watchpost`);
    await expect(link).toHaveAttribute("aria-current", "page");
    if (!section.sendDataHelp) continue;
    // A new user learns how to send data on every page about telemetry.
    const empty = page.getByTestId("empty-state");
    // The suite binds OTLP on port 0: the help names the ports it got.
    await expect(empty).toContainText(/OTEL_EXPORTER_OTLP_ENDPOINT=http:\/\/127\.0\.0\.1:\d+/);
    await expect(empty).not.toContainText(/:431[78](?!\d)/);
    await expect(empty).toContainText("OTEL_SERVICE_NAME");
    await expect(empty.getByRole("link", { name: /^Send data: set-up/ })).toHaveAttribute("href", "/send-data");
    // The whole set-up per language is right here, the time range kept.
    await empty.getByRole("link", { name: "Go", exact: true }).click();
    await expect(page).toHaveURL(new RegExp(`^[^?]*${section.path}\\?.*lang=go`));
    await expect(page).toHaveURL(/range=|from=/);
    await expect(empty.getByTestId("setup-steps")).toHaveAttribute("data-lang", "go");
    await expect(empty.getByTestId("setup-steps")).toContainText("otlptracehttp");
  }
  await expect(page.getByTestId("database-state")).toHaveText("database ready");
  expect(errors).toEqual([]);
});

for (const section of sections) {
  test(`${section.path} hydrates when opened directly`, async ({ page }) => {
    const errors = collectErrors(page);
    await page.goto(section.path);
    await waitForHydration(page);

    // The theme toggle works only if the WebAssembly took over the page.
    const html = page.locator("html");
    const toggle = page.getByTestId("theme-toggle");
    await toggle.click();
    const first = await html.getAttribute("data-theme");
    expect(first === "dark" || first === "light").toBe(true);
    const firstBackground = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    await toggle.click();
    await expect(html).toHaveAttribute("data-theme", first === "dark" ? "light" : "dark");
    // The stylesheet follows the choice, not just the attribute.
    await expect
      .poll(() => page.evaluate(() => getComputedStyle(document.body).backgroundColor))
      .not.toBe(firstBackground);

    // Changing the time range is client-side navigation that updates the page.
    await page.getByTestId("time-range").selectOption("24h");
    await expect(page).toHaveURL(`${section.path}?range=24h`);
    if (section.ranged) await expect(page.locator(".subtitle")).toContainText("Last 24 hours");
    expect(errors).toEqual([]);
  });
}

test("the theme choice survives a reload", async ({ page }) => {
  await page.goto("/alerts");
  await waitForHydration(page);
  const html = page.locator("html");
  await page.getByTestId("theme-toggle").click();
  const chosen = await html.getAttribute("data-theme");
  await page.reload();
  await expect(html).toHaveAttribute("data-theme", chosen!);
});

test("the time range is kept in the URL across sections", async ({ page }) => {
  await page.goto("/services?range=6h");
  await waitForHydration(page);
  await expect(page.getByTestId("time-range")).toHaveValue("6h");
  await nav(page).getByRole("link", { name: "Traces", exact: true }).click();
  await expect(page).toHaveURL("/traces?range=6h");
  await expect(page.getByTestId("time-range")).toHaveValue("6h");
  await expect(page.locator(".subtitle")).toContainText("Last 6 hours");
});

test("a custom range explains bad input next to the field", async ({ page }) => {
  await page.goto("/map");
  await waitForHydration(page);
  await page.getByTestId("time-range").selectOption("custom");
  const form = page.getByTestId("custom-range");
  await form.getByLabel("From (UTC)").fill("2026-01-02T05:00");
  await form.getByLabel("To (UTC)").fill("2026-01-02T04:00");
  await form.getByRole("button", { name: "Apply" }).click();
  await expect(page.locator("#range-to-error")).toHaveText("must be later than the start");
  await expect(form.getByLabel("To (UTC)")).toHaveAttribute("aria-invalid", "true");
  await expect(page).toHaveURL("/map");

  await form.getByLabel("To (UTC)").fill("2026-01-02T07:30");
  await form.getByRole("button", { name: "Apply" }).click();
  await expect(page.locator(".subtitle")).toContainText("2026-01-02 05:00 → 2026-01-02 07:30 UTC");
  await expect(form).toBeHidden();
  const url = new URL(page.url());
  expect(url.pathname).toBe("/map");
  expect(url.searchParams.get("from")).toBe("2026-01-02T05:00:00Z");
  expect(url.searchParams.get("to")).toBe("2026-01-02T07:30:00Z");
  // The link reproduces the view for whoever opens it.
  await page.goto(page.url());
  await expect(page.locator(".subtitle")).toContainText("2026-01-02 05:00 → 2026-01-02 07:30 UTC");
});

test("detail routes render and unknown paths are a real 404", async ({ page }) => {
  const errors = collectErrors(page);
  await page.goto("/services/checkout");
  await expect(page.getByRole("heading", { level: 1, name: "checkout" })).toBeVisible();
  await page.goto("/traces/4bf92f3577b34da6a3ce929d0e0e4736");
  await expect(page.getByRole("heading", { level: 1 })).toContainText("4bf92f3577b34da6a3ce929d0e0e4736");
  await page.goto("/health/payments-http");
  await expect(page.getByRole("heading", { level: 1, name: "No such health check" })).toBeVisible();

  const response = await page.goto("/no/such/page");
  expect(response?.status()).toBe(404);
  await expect(page.getByRole("heading", { level: 1, name: "Page not found" })).toBeVisible();
  // The 404 page's own console error for the status is expected; nothing else.
  expect(errors.filter((e) => !e.includes("404"))).toEqual([]);
});

test("markup in a path parameter is shown as text, never run", async ({ page }) => {
  let dialogs = 0;
  page.on("dialog", async (dialog) => {
    dialogs += 1;
    await dialog.dismiss();
  });
  const hostile = '</title><img src=x onerror="alert(1)">';
  await page.goto(`/services/${encodeURIComponent(hostile)}`);
  await waitForHydration(page);
  await expect(page.getByRole("heading", { level: 1 })).toHaveText(hostile);
  expect(await page.locator("img").count()).toBe(0);
  await expect(page).toHaveTitle('‹/title›‹img src=x onerror="alert(1)"› · Watchpost');
  expect(dialogs).toBe(0);
});
