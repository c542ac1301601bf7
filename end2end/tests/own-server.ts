/** A Watchpost of a test's own, on its own port and database. */
import { spawn, type ChildProcess } from "node:child_process";

import { expect, type Page } from "@playwright/test";

import { PASSWORD, watchpostBinary } from "../global-setup";
import { waitForHydration } from "./page";

export type OwnServer = { process: ChildProcess; setupLink: string };

/**
 * Starts `watchpost ARGS` on `port` against `databaseUrl` (an empty
 * database) and resolves once its log shows the first-run setup link.
 */
export function startOwnServer(
  args: string[],
  port: number,
  databaseUrl: string,
  env: Record<string, string> = {},
): Promise<OwnServer> {
  const server = spawn(watchpostBinary(), args, {
    cwd: `${__dirname}/../..`,
    env: {
      ...process.env,
      DATABASE_URL: databaseUrl,
      WATCHPOST_LISTEN: `127.0.0.1:${port}`,
      WATCHPOST_OTLP_HTTP_LISTEN: "127.0.0.1:0",
      WATCHPOST_OTLP_GRPC_LISTEN: "127.0.0.1:0",
      LEPTOS_SITE_ROOT: "target/site",
      WATCHPOST_LOG: "info",
      NO_COLOR: "1",
      ...env,
    },
  });
  return new Promise<OwnServer>((resolve, reject) => {
    let seen = "";
    const timer = setTimeout(() => reject(new Error(`no setup link in the log:\n${seen}`)), 30_000);
    const read = (chunk: Buffer) => {
      seen += chunk.toString();
      const found = seen.match(/http:\/\/\S+\/setup\?token=[A-Za-z0-9_-]+/);
      if (found) {
        clearTimeout(timer);
        resolve({ process: server, setupLink: found[0] });
      }
    };
    server.stdout!.on("data", read);
    server.stderr!.on("data", read);
    server.on("exit", (code) => reject(new Error(`watchpost ${args.join(" ")} exited (${code}):\n${seen}`)));
  });
}

/** Opens the first-run setup link and makes the first admin, who is then signed in. */
export async function createFirstAdmin(page: Page, setupLink: string, username: string, displayName: string) {
  await page.goto(setupLink);
  await waitForHydration(page);
  await page.getByLabel("Username").fill(username);
  await page.getByLabel("Display name").fill(displayName);
  await page.getByLabel(/^Password \(at least/).fill(PASSWORD);
  await page.getByLabel("Password again").fill(PASSWORD);
  await page.getByRole("button", { name: "Create admin and log in" }).click();
  await expect(page.getByTestId("signed-in-as")).toHaveText(displayName);
}
