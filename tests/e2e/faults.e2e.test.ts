import { randomBytes } from "node:crypto";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Browser } from "playwright-core";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { launchChromium } from "./support/browser.js";
import { runCli } from "./support/cli.js";
import { DashboardPage } from "./support/dashboard-page.js";
import { type GatewayProcess, metric, startGatewayProcess } from "./support/gateway-process.js";
import { fileSha256 } from "./support/signed-in-dashboard.js";
import { fetchManifest, rootFromStoredChunks } from "./support/stored-root.js";
import { startTcpProxy, type TcpProxy } from "./support/tcp-proxy.js";

// The browser reaches the gateway through a TCP proxy that can slow, cut or damage the traffic.
// Throttled to ~6 MB/s, a 24 MB upload (six 4 MiB chunks) takes a few seconds: long enough to
// break it midway.
const FILE_BYTES = 24 * 1000 * 1000;
const RATE = 6 * 1000 * 1000;
const ACK_DUPLICATE = 'status="5"';
const ACK_FCS_ERROR = 'status="2"';

let gw: GatewayProcess;
let proxy: TcpProxy;
let browser: Browser;
let dash: DashboardPage;
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "cyxwiz-e2e-faults-"));
  gw = await startGatewayProcess();
  proxy = await startTcpProxy(gw.port);
  browser = await launchChromium();
  dash = new DashboardPage(await browser.newPage(), `http://127.0.0.1:${proxy.port}`);
  dash.page.on("dialog", (d) => void d.accept());
  await dash.signIn("admin", gw.adminPassword);
});
afterEach(() => proxy.throttle(0));
afterAll(async () => {
  await browser?.close();
  await proxy?.close();
  await gw?.stop();
  await rm(dir, { recursive: true, force: true });
});

async function makeFile(name: string): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, randomBytes(FILE_BYTES));
  return path;
}

/** The dataset committed intact: the root shown is the stored chunks' root, and download is identical. */
async function expectIntact(path: string): Promise<void> {
  const f = path.split("/").pop()!;
  const shown = await dash.committedRoot(f);
  const ref = (await dash.page.getByTestId(`upload-ref-${f}`).textContent())!.trim();
  const { manifest } = await fetchManifest(gw.url, gw.adminToken, ref);
  expect(await rootFromStoredChunks(gw.dataDir, manifest!.chunkDigests)).toBe(shown);
  const keyFile = join(dir, `${f}.key`);
  await writeFile(keyFile, await dash.exportKey(f), { mode: 0o600 });
  const out = join(dir, `${f}.downloaded`);
  const dl = await runCli(["download", ref, "--gateway", gw.url, "--out", out, "--key-file", keyFile], {
    CYXWIZ_TOKEN: gw.adminToken,
    CYXWIZ_STATE_DIR: join(dir, "state"),
  });
  expect(dl.code, dl.stderr).toBe(0);
  expect(await fileSha256(out)).toBe(await fileSha256(path));
}

describe("uploads survive faults", () => {
  it("the gateway killed mid-upload and restarted: the upload completes, no chunk lost, none acknowledged sent again", async () => {
    const path = await makeFile("killed.bin");
    const f = "killed.bin";
    proxy.throttle(RATE);
    await dash.chooseFiles([path], { classification: "0", encrypt: true, compression: "none" });
    await dash.start(f);
    await dash.waitForProgress(f, 25);
    await gw.kill();
    await new Promise((r) => setTimeout(r, 1500));
    await gw.restart();
    await expectIntact(path);
    // counters start again with the new process: every duplicate after the restart would show
    expect(await metric(gw, "cyxwiz_frames_acked_total", ACK_DUPLICATE)).toBe(0);
  });

  it("the WebSocket dropped mid-upload: the client reconnects and sends only what is missing", async () => {
    const path = await makeFile("dropped.bin");
    const f = "dropped.bin";
    const duplicatesBefore = await metric(gw, "cyxwiz_frames_acked_total", ACK_DUPLICATE);
    proxy.throttle(RATE);
    await dash.chooseFiles([path], { classification: "0", encrypt: true, compression: "none" });
    await dash.start(f);
    await dash.waitForProgress(f, 25);
    proxy.dropAll();
    await expectIntact(path);
    expect(await metric(gw, "cyxwiz_frames_acked_total", ACK_DUPLICATE)).toBe(duplicatesBefore);
  });

  it("a frame with a flipped bit is refused (ACK_FCS_ERROR), sent again, and the stored dataset is still correct", async () => {
    const path = await makeFile("flipped.bin");
    const f = "flipped.bin";
    const refusedBefore = await metric(gw, "cyxwiz_frames_acked_total", ACK_FCS_ERROR);
    proxy.flipBitOnce(6 * 1024 * 1024 + 12345); // inside the second frame's payload on the frames socket
    await dash.chooseFiles([path], { classification: "0", encrypt: true, compression: "none" });
    await dash.start(f);
    await proxy.flipped;
    await expectIntact(path);
    expect(await metric(gw, "cyxwiz_frames_acked_total", ACK_FCS_ERROR)).toBe(refusedBefore + 1);
  });

  it("the page reloaded mid-upload: it offers to resume, and with the same file sends only the missing chunks", async () => {
    const path = await makeFile("reloaded.bin");
    const f = "reloaded.bin";
    const duplicatesBefore = await metric(gw, "cyxwiz_frames_acked_total", ACK_DUPLICATE);
    proxy.throttle(RATE);
    await dash.chooseFiles([path], { classification: "0", encrypt: true, compression: "none" });
    await dash.start(f);
    await dash.waitForProgress(f, 25);
    await dash.page.reload();
    await dash.page.getByTestId(`unfinished-row-${f}`).waitFor();
    // another file is refused with a clear message
    const other = await makeFile("other.bin");
    await dash.page.getByTestId(`unfinished-file-input-${f}`).setInputFiles(other);
    await expect
      .poll(async () => (await dash.page.getByTestId(`unfinished-message-${f}`).textContent()) ?? "")
      .toMatch(/not the file this upload started with/);
    await dash.page.getByTestId(`unfinished-file-input-${f}`).setInputFiles(path);
    await expectIntact(path);
    expect(await metric(gw, "cyxwiz_frames_acked_total", ACK_DUPLICATE)).toBe(duplicatesBefore);
  });
});
