import { createHash, randomBytes } from "node:crypto";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mnistPath } from "../../test-support/datasets.js";
import { launchChromium } from "./support/browser.js";
import { runCli } from "./support/cli.js";
import { DashboardPage } from "./support/dashboard-page.js";
import { type GatewayProcess, repoRoot, startGatewayProcess } from "./support/gateway-process.js";
import { fetchManifest, rootFromStoredChunks } from "./support/stored-root.js";

const mnistFiles = [mnistPath("images"), mnistPath("labels")];
const sha = async (path: string) =>
  createHash("sha256")
    .update(await readFile(path))
    .digest("hex");

let gw: GatewayProcess;
let browser: Browser;
let dash: DashboardPage;
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "cyxwiz-e2e-files-"));
  gw = await startGatewayProcess();
  browser = await launchChromium();
  dash = new DashboardPage(await browser.newPage(), gw.url);
  await dash.signIn("admin", gw.adminPassword);
});
afterAll(async () => {
  await browser?.close();
  await gw?.stop();
  await rm(dir, { recursive: true, force: true });
});

const cliEnv = () => ({ CYXWIZ_TOKEN: gw.adminToken, CYXWIZ_STATE_DIR: join(dir, "state") });

describe("uploading through the dashboard, end to end", () => {
  it("the MNIST files, Public and unencrypted: the root shown is the stored chunks' root and cyxwiz pack's, and download is byte-identical", async () => {
    await dash.chooseFiles(mnistFiles, { classification: "0", encrypt: false, compression: "none" });
    for (const path of mnistFiles) await dash.start(path.split("/").pop()!);
    for (const path of mnistFiles) {
      const f = path.split("/").pop()!;
      const shown = await dash.committedRoot(f);
      expect(shown).toMatch(/^[0-9a-f]{64}$/);
      const ref = (await dash.page.getByTestId(`upload-ref-${f}`).textContent())!.trim();
      const { manifest } = await fetchManifest(gw.url, gw.adminToken, ref);
      expect(await rootFromStoredChunks(gw.dataDir, manifest!.chunkDigests)).toBe(shown);

      const packed = await runCli([
        "pack",
        path,
        "--out",
        join(dir, `pack-${f}`),
        "--chunk-size",
        String(manifest!.metadata!.chunkSize),
        "--json",
      ]);
      expect(packed.code, packed.stderr).toBe(0);
      expect(JSON.parse(packed.stdout).merkleRoot).toBe(shown);

      const out = join(dir, `${f}.downloaded`);
      const dl = await runCli(["download", ref, "--gateway", gw.url, "--out", out], cliEnv());
      expect(dl.code, dl.stderr).toBe(0);
      expect(await sha(out)).toBe(await sha(path));
    }
  });

  it("a generated 50 MB file, encrypted: the exported recovery key downloads it byte-identical", async () => {
    const path = join(dir, "generated-50mb.bin");
    await writeFile(path, randomBytes(50 * 1000 * 1000));
    const f = "generated-50mb.bin";
    await dash.chooseFiles([path], { classification: "2", compression: "none" });
    expect(await dash.page.getByTestId(`upload-encrypt-${f}`).isChecked()).toBe(true); // forced on from Confidential up
    await dash.start(f);
    const shown = await dash.committedRoot(f);
    const ref = (await dash.page.getByTestId(`upload-ref-${f}`).textContent())!.trim();
    const { manifest, version } = await fetchManifest(gw.url, gw.adminToken, ref);
    expect(version!.encrypted).toBe(true);
    expect(version!.keyEscrowed).toBe(false);
    expect(await rootFromStoredChunks(gw.dataDir, manifest!.chunkDigests)).toBe(shown);

    const key = await dash.exportKey(f);
    expect(key).toMatch(/^[0-9a-f]{64}\n$/);
    const keyFile = join(dir, "generated.key");
    await writeFile(keyFile, key, { mode: 0o600 });
    const out = join(dir, "generated.downloaded");
    const dl = await runCli(["download", ref, "--gateway", gw.url, "--out", out, "--key-file", keyFile], cliEnv());
    expect(dl.code, dl.stderr).toBe(0);
    expect(await sha(out)).toBe(await sha(path));
    const noKey = await runCli(["download", ref, "--gateway", gw.url, "--out", join(dir, "nokey.out")], cliEnv());
    expect(noKey.code).toBe(2);
  });

  it("the datasets page lists the versions and verifies one", async () => {
    await dash.page.getByTestId("nav-datasets").click();
    const ref = "t10k-labels-idx1-ubyte.gz@v1";
    await dash.page.getByTestId(`dataset-row-${ref}`).waitFor();
    await dash.page.getByTestId(`dataset-verify-${ref}`).click();
    const result = dash.page.getByTestId(`dataset-verify-result-${ref}`);
    await result.waitFor();
    await expect.poll(() => result.getAttribute("data-valid")).toBe("true");
    await dash.page.screenshot({ path: join(repoRoot, "tests/test-results/datasets.png"), fullPage: true });
  });
});
