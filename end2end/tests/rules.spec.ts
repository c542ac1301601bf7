import { expect, test } from "@playwright/test";

import { PASSWORD } from "../global-setup";
import { sendFailingRequests } from "./otlp";
import { collectErrors, logIn, waitForHydration } from "./page";

test("an admin writes a rule with messages next to bad fields, previews it and saves it", async ({ page, request }) => {
  // Something to preview: a service failing half its requests now.
  const service = `previewed-${Date.now()}`;
  await sendFailingRequests(request, service);

  const errors = collectErrors(page);
  await page.goto("/rules");
  await waitForHydration(page);
  await expect(page.getByTestId("rules")).toContainText("High error rate");
  await page.getByRole("button", { name: "New rule" }).click();
  const form = page.getByTestId("rule-form");
  const name = `Reports failing ${Date.now()}`;
  await form.getByLabel("Name").fill(name);
  await form.getByLabel("Threshold").fill("a lot");
  await form.getByLabel("Window").fill("5s");
  await form.getByRole("button", { name: "Save rule" }).click();
  await expect(form.getByTestId("error-rule-threshold")).toContainText("a number");
  await form.getByLabel("Threshold").fill("0.2");
  await form.getByRole("button", { name: "Save rule" }).click();
  await expect(form.getByTestId("error-rule-window")).toContainText("from 1m to 24h");
  await form.getByLabel("Window").fill("5m");
  await form.getByLabel("Services").fill(service);

  await form.getByRole("button", { name: "Preview last 6 hours" }).click();
  const preview = form.getByTestId("rule-preview");
  await expect(preview).toContainText("Would have fired once");
  await expect(preview.locator(`tr[data-service="${service}"]`)).toContainText("now");

  await form.getByRole("button", { name: "Save rule" }).click();
  await expect(page.getByTestId("rule-form")).toHaveCount(0);
  const row = page.locator(`tr[data-rule="${name}"]`);
  await expect(row).toContainText("error rate > 0.2");
  await expect(row).toContainText(service);
  expect(errors).toEqual([]);
});

test("a viewer reads the rules and cannot change them", async ({ browser }) => {
  const context = await browser.newContext({ storageState: { cookies: [], origins: [] } });
  const page = await context.newPage();
  await page.goto("/login?next=/rules");
  await waitForHydration(page);
  await logIn(page, "e2e-viewer", PASSWORD);
  await waitForHydration(page);
  await expect(page.getByTestId("rules")).toContainText("Health check failing");
  await expect(page.getByRole("button", { name: "New rule" })).toHaveCount(0);
  await expect(page.getByRole("button", { name: "Edit" })).toHaveCount(0);
  await context.close();
});
