import { createHash } from "node:crypto";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll } from "vitest";
import { launchChromium } from "./browser.js";
import { DashboardPage } from "./dashboard-page.js";
import { type GatewayProcess, startGatewayProcess } from "./gateway-process.js";

/** A real gateway process, Chromium, the dashboard signed in as admin, and a scratch folder. */
export interface SignedInDashboard {
  readonly gw: GatewayProcess;
  readonly browser: Browser;
  readonly dash: DashboardPage;
  /** A temporary folder for the test's files, removed afterwards. */
  readonly dir: string;
}

/**
 * Registers the hooks that start a gateway and Chromium before a test file's tests, sign in to the
 * dashboard, and stop both afterwards. Its fields are set once the `beforeAll` has run. With
 * `webgpu`, Chromium exposes WebGPU (SwiftShader's adapter, on the CPU).
 */
export function signedInDashboard(dirPrefix: string, options: { webgpu?: boolean } = {}): SignedInDashboard {
  const s = {} as { -readonly [K in keyof SignedInDashboard]: SignedInDashboard[K] };
  beforeAll(async () => {
    s.dir = await mkdtemp(join(tmpdir(), dirPrefix));
    s.gw = await startGatewayProcess();
    s.browser = await launchChromium(options);
    s.dash = new DashboardPage(await s.browser.newPage(), s.gw.url);
    await s.dash.signIn("admin", s.gw.adminPassword);
  });
  afterAll(async () => {
    await s.browser?.close();
    await s.gw?.stop();
    if (s.dir !== undefined) await rm(s.dir, { recursive: true, force: true });
  });
  return s;
}

/** SHA-256 of a file, hex. */
export async function fileSha256(path: string): Promise<string> {
  return createHash("sha256")
    .update(await readFile(path))
    .digest("hex");
}
