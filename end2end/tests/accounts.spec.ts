import type { ChildProcess } from "node:child_process";

import { expect, test, request as newRequest } from "@playwright/test";

import { ADMIN_STATE, PASSWORD } from "../global-setup";
import { hexId, sendTrace, traceRequest } from "./otlp";
import { createFirstAdmin, startOwnServer } from "./own-server";
import { collectErrors, logIn as logInAs, waitForHydration } from "./page";

/** These tests start signed out. */
test.use({ storageState: { cookies: [], origins: [] } });

async function logIn(page: import("@playwright/test").Page, username: string, password = PASSWORD) {
  await logInAs(page, username, password);
}

test("logging in brings you back where you were, and logging out ends the session", async ({ page }) => {
  const errors = collectErrors(page);
  await page.goto("/services?range=6h");
  await expect(page).toHaveURL(/\/login\?next=/);
  await waitForHydration(page);

  await logIn(page, "e2e-viewer", "not the password at all");
  await expect(page.getByTestId("login-error")).toHaveText("wrong username or password");
  await logIn(page, "e2e-viewer");
  await expect(page).toHaveURL(/\/services\?range=6h$/);
  await expect(page.getByTestId("signed-in-as")).toHaveText("Vic Viewer");

  await page.getByRole("button", { name: "Log out" }).click();
  await expect(page).toHaveURL(/\/login$/);
  await page.goto("/traces");
  await expect(page).toHaveURL(/\/login\?next=/);
  expect(errors).toEqual([]);
});

test("a viewer is offered no admin actions, and the server refuses them when forced", async ({ page }) => {
  // A check to look at, made by the admin.
  const admin = await newRequest.newContext({ baseURL: test.info().project.use.baseURL, storageState: ADMIN_STATE });
  const name = `viewer sees ${Date.now()}`;
  const created = await admin.post("/api/v1/checks", {
    data: { name, service: "ledger", type: "tcp", target: "127.0.0.1:9", paused: true },
  });
  expect(created.status()).toBe(201);
  const id = (await created.json()).id as number;
  await admin.dispose();

  await page.goto("/login");
  await waitForHydration(page);
  await logIn(page, "e2e-viewer");
  await expect(page.getByTestId("signed-in-as")).toHaveText("Vic Viewer");
  await expect(page.getByTestId("admin-link")).toHaveCount(0);

  await page.goto("/health");
  await waitForHydration(page);
  await expect(page.locator(`article[data-check="${name}"]`)).toBeVisible();
  await expect(page.getByRole("link", { name: "Add a check" })).toHaveCount(0);

  await page.goto(`/health/${id}`);
  await waitForHydration(page);
  await expect(page.locator("h1")).toContainText(name);
  for (const label of ["Edit", "Pause", "Resume", "Delete"]) {
    await expect(page.getByRole("button", { name: label, exact: true })).toHaveCount(0);
  }

  // Forced from the page itself (same origin, with the session cookie).
  const forced = await page.evaluate(async (checkId) => {
    const response = await fetch("/rpc/delete_check", {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: `id=${checkId}`,
    });
    return { status: response.status, body: await response.text() };
  }, id);
  expect(forced.status).toBe(403);
  expect(forced.body).toContain("Forbidden");
  await page.goto("/admin");
  await waitForHydration(page);
  await expect(page.getByTestId("ingest-keys")).toContainText("this needs the admin role");
  // Still there.
  await page.goto(`/health/${id}`);
  await expect(page.locator("h1")).toContainText(name);
});

test("an admin makes and revokes an ingest key and sees it in the audit log", async ({ browser }) => {
  const context = await browser.newContext({ storageState: ADMIN_STATE });
  const page = await context.newPage();
  const errors = collectErrors(page);
  await page.goto("/admin");
  await waitForHydration(page);
  const keyName = `e2e-${Date.now()}`;
  await page.getByLabel("New key's name").fill("not a valid name!");
  await page.getByRole("button", { name: "Create" }).click();
  await expect(page.getByTestId("error-key-name")).toContainText("only letters, digits");
  await page.getByLabel("New key's name").fill(keyName);
  await page.getByRole("button", { name: "Create" }).click();
  await expect(page.getByTestId("new-key")).toHaveText(/^wpk_/);
  const row = page.locator(`tr[data-secret="${keyName}"]`);
  await expect(row).toContainText("active");
  await row.getByRole("button", { name: "Revoke" }).click();
  await expect(row).toContainText("revoked");
  // A user, refused first for a short password, the message by the field.
  const users = page.getByTestId("users");
  const username = `e2e-new-${Date.now()}`;
  await users.getByLabel("Username").fill(username);
  await users.getByLabel("Display name").fill("<b>Newcomer</b>");
  await users.getByLabel("Initial password").fill("short");
  await users.getByRole("button", { name: "Add user" }).click();
  await expect(page.getByTestId("error-user-password")).toContainText("at least 12");
  await users.getByLabel("Initial password").fill(PASSWORD);
  await users.getByRole("button", { name: "Add user" }).click();
  const userRow = page.locator(`tr[data-user="${username}"]`);
  await expect(userRow).toContainText("<b>Newcomer</b>");
  await userRow.getByRole("combobox").selectOption("responder");
  await userRow.getByRole("button", { name: "Disable" }).click();
  await expect(userRow).toContainText("disabled");

  await page.goto("/admin?action=ingest_key.");
  await waitForHydration(page);
  await expect(page.locator('tr[data-action="ingest_key.revoke"]', { hasText: keyName })).toBeVisible();
  await expect(page.locator('tr[data-action="ingest_key.create"]', { hasText: keyName })).toContainText("e2e-admin");
  expect(errors).toEqual([]);
  await context.close();
});

test.describe("first run", () => {
  const databaseUrl = process.env.WATCHPOST_E2E_SETUP_DATABASE_URL;
  let server: ChildProcess | undefined;
  test.afterEach(() => server?.kill("SIGTERM"));

  test("the setup link from the log creates the first admin, once; a key made on Send data brings the first service in", async ({ page }) => {
    test.skip(!databaseUrl, "needs WATCHPOST_E2E_SETUP_DATABASE_URL (an empty database; ./dev test makes one)");
    const port = 3100 + 50 + test.info().workerIndex;
    // Keys required, as on any server reachable from elsewhere.
    const own = await startOwnServer([], port, databaseUrl!, { WATCHPOST_INGEST_AUTH: "required" });
    server = own.process;
    const link = own.setupLink;
    // Anyone arriving first is sent to log in, and told where accounts come from.
    await page.goto(`http://127.0.0.1:${port}/services`);
    await expect(page.getByTestId("setup-hint")).toContainText("setup link");
    await createFirstAdmin(page, link, "founder", "Fran Founder");
    await expect(page.getByTestId("admin-link")).toBeVisible();
    // The link works once.
    const again = await page.goto(link);
    expect(again?.status()).toBe(410);

    // Send data: the admin makes an ingest key on the page, and the
    // snippets carry it from then on.
    const errors = collectErrors(page);
    await page.goto(`http://127.0.0.1:${port}/send-data`);
    await waitForHydration(page);
    const endpoint = (await page.getByTestId("otlp-http-endpoint").textContent())!;
    await expect(page.getByTestId("key-required")).toBeVisible();
    await page.getByLabel("New ingest key's name").fill("first comer");
    await page.getByRole("button", { name: "Create" }).click();
    await expect(page.getByTestId("error-key-name")).not.toBeEmpty();
    await page.getByLabel("New ingest key's name").fill("first-comer");
    await page.getByRole("button", { name: "Create" }).click();
    const key = (await page.getByTestId("new-key").textContent())!;
    expect(key).toMatch(/^wpk_/);
    await expect(page.getByTestId("key-in-snippets")).toBeVisible();
    await expect(page.getByTestId("setup-steps")).toContainText(`Authorization=Bearer%20${key}`);

    // Nothing has reported yet: the empty Services page watches, and the
    // first service to report replaces it without a reload.
    await page.goto(`http://127.0.0.1:${port}/services?range=15m`);
    await waitForHydration(page);
    await expect(page.getByTestId("service-watch")).toBeVisible();
    await page.evaluate(() => ((window as unknown as { notReloaded: boolean }).notReloaded = true));
    const startNs = BigInt(Date.now() - 50) * 1_000_000n;
    const span = { service: "first-comer", spanId: hexId(8), name: "GET /", kind: 2, startNs, durationNs: 20_000_000n };
    await sendTrace(page.request, traceRequest(hexId(16), [span]), endpoint, key);
    await expect(page.getByRole("link", { name: "first-comer" })).toBeVisible({ timeout: 15_000 });
    await expect(page.getByTestId("service-watch")).toHaveCount(0);
    expect(await page.evaluate(() => (window as unknown as { notReloaded?: boolean }).notReloaded)).toBe(true);
    expect(errors).toEqual([]);
  });
});

