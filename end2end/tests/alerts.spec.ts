import { expect, test } from "@playwright/test";

import { PASSWORD } from "../global-setup";
import { sendFailingRequests } from "./otlp";
import { collectErrors, logIn, waitForHydration } from "./page";

test.use({ storageState: { cookies: [], origins: [] } });

test("a responder acknowledges a firing alert with a comment, and a viewer cannot", async ({ browser, request }) => {
  // Half of a new service's requests fail: its error rate is 50 %.
  const service = `alerting-${Date.now()}`;
  await sendFailingRequests(request, service);

  const responder = await browser.newContext({ storageState: { cookies: [], origins: [] } });
  const page = await responder.newPage();
  const errors = collectErrors(page);
  await page.goto("/login?next=/alerts");
  await waitForHydration(page);
  await logIn(page, "e2e-responder", PASSWORD);
  await expect(page).toHaveURL(/\/alerts$/);
  await waitForHydration(page);
  // The evaluator runs every 2 s here and the page refreshes every 5 s.
  const card = page.locator("li.alert-card", { hasText: service });
  await expect(card).toBeVisible({ timeout: 20_000 });
  await expect(card).toContainText("High error rate");
  await expect(card).toContainText("50.0 %");
  await expect(card).toHaveClass(/unacked/);
  await expect(card.getByRole("link", { name: "Traces behind it" })).toHaveAttribute(
    "href",
    `/traces?service=${service}&tags=error%3Dtrue`,
  );

  await card.getByPlaceholder("Comment (optional)").fill("<b>rolling back</b>");
  await card.getByRole("button", { name: "Acknowledge" }).click();
  const acknowledged = card.getByTestId("acknowledged");
  await expect(acknowledged).toContainText("Acknowledged by e2e-responder");
  await expect(acknowledged.locator("q")).toHaveText("<b>rolling back</b>");
  await expect(card).not.toHaveClass(/unacked/);
  expect(errors).toEqual([]);
  await responder.close();

  // A viewer sees who acknowledged it, and nothing to press.
  const viewer = await browser.newContext({ storageState: { cookies: [], origins: [] } });
  const viewerPage = await viewer.newPage();
  await viewerPage.goto("/login?next=/alerts");
  await waitForHydration(viewerPage);
  await logIn(viewerPage, "e2e-viewer", PASSWORD);
  await waitForHydration(viewerPage);
  const seen = viewerPage.locator("li.alert-card", { hasText: service });
  await expect(seen.getByTestId("acknowledged")).toContainText("e2e-responder");
  await expect(seen.getByRole("button")).toHaveCount(0);
  const id = await seen.getAttribute("data-alert");
  const forced = await viewerPage.evaluate(async (alertId) => {
    const response = await fetch("/rpc/unack_alert", {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: `id=${alertId}`,
    });
    return response.status;
  }, id);
  expect(forced).toBe(403);
  await viewer.close();
});

test("a responder mutes an alert until it resolves, and silences with messages next to bad fields", async ({ browser, request }) => {
  const service = `muted-${Date.now()}`;
  await sendFailingRequests(request, service);

  const context = await browser.newContext({ storageState: { cookies: [], origins: [] } });
  const page = await context.newPage();
  const errors = collectErrors(page);
  await page.goto("/login?next=/alerts");
  await waitForHydration(page);
  await logIn(page, "e2e-responder", PASSWORD);
  await waitForHydration(page);
  const card = page.locator("li.alert-card", { hasText: service });
  await expect(card).toBeVisible({ timeout: 20_000 });
  await card.getByText("Mute…").click();
  await card.getByPlaceholder("Why (required)").fill("known: card processor migration");
  await card.getByRole("button", { name: "Mute until resolved" }).click();
  // The evaluator (every 2 s) marks it; the page refreshes every 5 s.
  await expect(card.getByTestId("silenced")).toContainText("Muted by silence #", { timeout: 15_000 });
  const alertId = await card.getAttribute("data-alert");

  await page.getByRole("link", { name: "Silences" }).click();
  await expect(page).toHaveURL(/show=silences/);
  const silences = page.getByTestId("silences");
  await expect(silences).toContainText(`service="${service}"`);
  await expect(silences).toContainText("until alert #");

  // Bad input is answered next to the field: first in the browser, then by the server.
  await page.getByLabel("Matchers").fill("nonsense");
  await page.getByLabel("Why").fill("load test");
  await page.getByRole("button", { name: "Silence", exact: true }).click();
  await expect(page.getByTestId("error-silence-matchers")).toContainText("not a matcher");
  const other = `${service}-other`;
  await page.getByLabel("Matchers").fill(`service=${other}`);
  await page.getByLabel("Duration").fill("forever");
  await page.getByRole("button", { name: "Silence", exact: true }).click();
  await expect(page.getByTestId("error-silence-duration")).toContainText("1m or more");
  await page.getByLabel("Duration").fill("30m");
  await page.getByRole("button", { name: "Silence", exact: true }).click();
  const created = page.locator("li.silence-card", { hasText: other });
  await expect(created).toHaveAttribute("data-state", "active");
  await expect(page.getByTestId("error-silence-duration")).toHaveText("");

  await created.getByRole("button", { name: "Expire now" }).click();
  await expect(created).toHaveCount(0);

  // Resolved by hand: it leaves the open list (the still-failing service
  // opens a new alert at the next evaluation) and is listed as resolved.
  await page.getByRole("link", { name: "Open", exact: true }).click();
  const muted = page.locator(`li.alert-card[data-alert="${alertId}"]`);
  await muted.getByRole("button", { name: "Resolve by hand" }).click();
  await expect(muted).toHaveCount(0);
  await page.getByRole("link", { name: "Resolved", exact: true }).click();
  await expect(page.locator(`li.alert-card[data-alert="${alertId}"]`)).toContainText("by e2e-responder");
  expect(errors).toEqual([]);
  await context.close();
});
