/**
 * Before the browser tests: an admin, a responder and a viewer in the test
 * database (made with `watchpost user add`, as an automated install would),
 * and the admin's signed-in browser state, which every test starts from
 * unless it says otherwise.
 */
import { execFileSync } from "node:child_process";
import { mkdirSync } from "node:fs";
import path from "node:path";

import { request, type FullConfig } from "@playwright/test";

export const PASSWORD = "e2e password, long enough";
export const ADMIN_STATE = path.join(__dirname, ".auth", "admin.json");

const USERS: Array<[string, string, string]> = [
  ["e2e-admin", "admin", "Ada Admin"],
  ["e2e-responder", "responder", "Rosa Responder"],
  ["e2e-viewer", "viewer", "Vic Viewer"],
];

export function watchpostBinary(): string {
  return path.resolve(__dirname, "..", process.env.WATCHPOST_E2E_BIN ?? "target/debug/watchpost");
}

function addUser(username: string, role: string, displayName: string) {
  try {
    execFileSync(
      watchpostBinary(),
      ["user", "add", "--username", username, "--role", role, "--display-name", displayName, "--password-stdin"],
      {
        input: `${PASSWORD}\n`,
        env: { ...process.env, DATABASE_URL: process.env.WATCHPOST_E2E_DATABASE_URL },
        stdio: ["pipe", "pipe", "pipe"],
      },
    );
  } catch (error) {
    // A reused database (DATABASE_URL set by hand) has them from last time.
    const stderr = String((error as { stderr?: Buffer }).stderr ?? "");
    if (!stderr.includes("exists already")) throw error;
  }
}

export default async function globalSetup(config: FullConfig) {
  for (const [username, role, displayName] of USERS) addUser(username, role, displayName);
  const baseURL = config.projects[0].use.baseURL!;
  const context = await request.newContext({ baseURL });
  const response = await context.post("/login", {
    form: { username: "e2e-admin", password: PASSWORD, next: "/" },
    maxRedirects: 0,
  });
  if (response.status() !== 303 || !response.headers()["set-cookie"]) {
    throw new Error(`the e2e admin cannot log in: ${response.status()} ${await response.text()}`);
  }
  mkdirSync(path.dirname(ADMIN_STATE), { recursive: true });
  await context.storageState({ path: ADMIN_STATE });
  await context.dispose();
}
