import { randomBytes } from "node:crypto";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { mnistPath } from "../../test-support/datasets.js";
import { runCli } from "./support/cli.js";
import { repoRoot } from "./support/gateway-process.js";
import { fileSha256, signedInDashboard } from "./support/signed-in-dashboard.js";
import { fetchManifest, rootFromStoredChunks } from "./support/stored-root.js";

const mnistFiles = [mnistPath("images"), mnistPath("labels")];

const s = signedInDashboard("cyxwiz-e2e-files-");

const cliEnv = () => ({ CYXWIZ_TOKEN: s.gw.adminToken, CYXWIZ_STATE_DIR: join(s.dir, "state") });

describe("uploading through the dashboard, end to end", () => {
  it("the MNIST files, Public and unencrypted: the root shown is the stored chunks' root and cyxwiz pack's, and download is byte-identical", async () => {
    // As bytes: the roots are compared with `cyxwiz pack`'s of the files as they are.
    await s.dash.chooseFiles(mnistFiles, { classification: "0", encrypt: false, compression: "none", samples: false });
    for (const path of mnistFiles) await s.dash.start(path.split("/").pop()!);
    for (const path of mnistFiles) {
      const f = path.split("/").pop()!;
      const shown = await s.dash.committedRoot(f);
      expect(shown).toMatch(/^[0-9a-f]{64}$/);
      const ref = (await s.dash.page.getByTestId(`upload-ref-${f}`).textContent())!.trim();
      const { manifest } = await fetchManifest(s.gw.url, s.gw.adminToken, ref);
      expect(await rootFromStoredChunks(s.gw.dataDir, manifest!.chunkDigests)).toBe(shown);

      const packed = await runCli([
        "pack",
        path,
        "--format",
        "opaque",
        "--out",
        join(s.dir, `pack-${f}`),
        "--chunk-size",
        String(manifest!.metadata!.chunkSize),
        "--json",
      ]);
      expect(packed.code, packed.stderr).toBe(0);
      expect(JSON.parse(packed.stdout).merkleRoot).toBe(shown);

      const out = join(s.dir, `${f}.downloaded`);
      const dl = await runCli(["download", ref, "--gateway", s.gw.url, "--out", out], cliEnv());
      expect(dl.code, dl.stderr).toBe(0);
      expect(await fileSha256(out)).toBe(await fileSha256(path));
    }
  });

  it("a generated 50 MB file, encrypted: the exported recovery key downloads it byte-identical", async () => {
    const path = join(s.dir, "generated-50mb.bin");
    await writeFile(path, randomBytes(50 * 1000 * 1000));
    const f = "generated-50mb.bin";
    await s.dash.chooseFiles([path], { classification: "2", compression: "none" });
    expect(await s.dash.page.getByTestId(`upload-encrypt-${f}`).isChecked()).toBe(true); // forced on from Confidential up
    await s.dash.start(f);
    const shown = await s.dash.committedRoot(f);
    const ref = (await s.dash.page.getByTestId(`upload-ref-${f}`).textContent())!.trim();
    const { manifest, version } = await fetchManifest(s.gw.url, s.gw.adminToken, ref);
    expect(version!.encrypted).toBe(true);
    expect(version!.keyEscrowed).toBe(false);
    expect(await rootFromStoredChunks(s.gw.dataDir, manifest!.chunkDigests)).toBe(shown);

    const key = await s.dash.exportKey(f);
    expect(key).toMatch(/^[0-9a-f]{64}\n$/);
    const keyFile = join(s.dir, "generated.key");
    await writeFile(keyFile, key, { mode: 0o600 });
    const out = join(s.dir, "generated.downloaded");
    const dl = await runCli(["download", ref, "--gateway", s.gw.url, "--out", out, "--key-file", keyFile], cliEnv());
    expect(dl.code, dl.stderr).toBe(0);
    expect(await fileSha256(out)).toBe(await fileSha256(path));
    const noKey = await runCli(["download", ref, "--gateway", s.gw.url, "--out", join(s.dir, "nokey.out")], cliEnv());
    expect(noKey.code).toBe(2);
  });

  it("the datasets page lists the versions and verifies one", async () => {
    await s.dash.page.getByTestId("nav-datasets").click();
    const ref = "t10k-labels-idx1-ubyte.gz@v1";
    await s.dash.page.getByTestId(`dataset-row-${ref}`).waitFor();
    await s.dash.page.getByTestId(`dataset-verify-${ref}`).click();
    const result = s.dash.page.getByTestId(`dataset-verify-result-${ref}`);
    await result.waitFor();
    await expect.poll(() => result.getAttribute("data-valid")).toBe("true");
    await s.dash.page.screenshot({ path: join(repoRoot, "tests/test-results/datasets.png"), fullPage: true });
  });
});
