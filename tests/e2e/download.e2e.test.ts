import { randomBytes } from "node:crypto";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { runCli } from "./support/cli.js";
import { fileSha256, signedInDashboard } from "./support/signed-in-dashboard.js";
import { fetchManifest } from "./support/stored-root.js";

const s = signedInDashboard("cyxwiz-e2e-download-");

/** Uploads one file from the dashboard; returns its `name@vN` and, when encrypted, the exported recovery key. */
async function upload(
  path: string,
  choices: Parameters<typeof s.dash.chooseFiles>[1],
): Promise<{ ref: string; key?: string }> {
  const f = path.split("/").pop()!;
  const page = s.dash.page;
  await page.getByTestId("nav-upload").click();
  await s.dash.chooseFiles([path], choices);
  await s.dash.start(f);
  await s.dash.committedRoot(f);
  const ref = (await page.getByTestId(`upload-ref-${f}`).textContent())!.trim();
  // Exported, as the owner would (and or the page asks before leaving).
  if ((await page.getByTestId(`upload-export-key-${f}`).count()) === 0) return { ref };
  return { ref, key: await s.dash.exportKey(f) };
}

/** Opens the datasets page afresh (init scripts run) and waits for the row. */
async function openDatasets(page: Page, ref: string): Promise<void> {
  await page.goto(`${s.gw.url}/datasets/`);
  await page.getByTestId(`dataset-row-${ref}`).waitFor();
}

/** Clicks `testId` and returns the path of the file the browser saved and its suggested name. */
async function savedDownload(page: Page, testId: string): Promise<{ path: string; name: string }> {
  const [download] = await Promise.all([page.waitForEvent("download"), page.getByTestId(testId).click()]);
  return { path: await download.path(), name: download.suggestedFilename() };
}

const plainName = "download-plain-9mb.bin";
const secretName = "download-secret.csv";
let plainRef: string;
let secretRef: string;
let secretKey: string;

describe("downloading from the datasets page", () => {
  it("an unencrypted and an encrypted upload come back byte-identical (Blob and <a download>)", async () => {
    const plainPath = join(s.dir, plainName);
    await writeFile(plainPath, randomBytes(9 * 1024 * 1024)); // three 4 MiB chunks
    const secretPath = join(s.dir, secretName);
    await writeFile(secretPath, Array.from({ length: 40_000 }, (_, i) => `${i},${(i * 7919) % 1000}\n`).join(""));
    plainRef = (await upload(plainPath, { classification: "0", encrypt: false, compression: "none" })).ref;
    // As bytes: the download must give back this very CSV.
    const secret = await upload(secretPath, { classification: "2", compression: "zstd", samples: false });
    secretRef = secret.ref;
    secretKey = secret.key!;
    expect(secretKey).toMatch(/^[0-9a-f]{64}\n$/);

    const page = s.dash.page;
    // No File System Access API: the Blob fallback, which Playwright sees as a download.
    await page.addInitScript(() => {
      Object.defineProperty(window, "showSaveFilePicker", { value: undefined, configurable: true });
    });
    await openDatasets(page, plainRef);

    const plain = await savedDownload(page, `dataset-download-${plainRef}`);
    expect(plain.name).toBe(plainName);
    expect(await fileSha256(plain.path)).toBe(await fileSha256(plainPath));
    const plainDone = page.getByTestId(`dataset-download-result-${plainRef}`);
    await expect.poll(() => plainDone.getAttribute("data-state")).toBe("done");

    // The key kept in this browser's IndexedDB at commit opens it, after a reload: no key asked for.
    const secretSaved = await savedDownload(page, `dataset-download-${secretRef}`);
    expect(secretSaved.name).toBe(secretName);
    expect(await fileSha256(secretSaved.path)).toBe(await fileSha256(secretPath));
    expect(await page.getByTestId(`dataset-key-form-${secretRef}`).count()).toBe(0);
  });

  it("with the File System Access API the bytes go to the picked file", async () => {
    const page = s.dash.page;
    // A real FileSystemFileHandle (in the origin-private file system) stands in for the picker.
    await page.addInitScript(() => {
      Object.defineProperty(window, "showSaveFilePicker", {
        configurable: true,
        value: async ({ suggestedName }: { suggestedName: string }) => {
          const dir = await navigator.storage.getDirectory();
          return dir.getFileHandle(`picked-${suggestedName}`, { create: true });
        },
      });
    });
    await openDatasets(page, plainRef);
    await page.getByTestId(`dataset-download-${plainRef}`).click();
    const result = page.getByTestId(`dataset-download-result-${plainRef}`);
    await expect.poll(() => result.getAttribute("data-state"), { timeout: 60_000 }).toBe("done");
    const hex = await page.evaluate(async (name) => {
      const dir = await navigator.storage.getDirectory();
      const file = await (await dir.getFileHandle(name)).getFile();
      const digest = await crypto.subtle.digest("SHA-256", await file.arrayBuffer());
      return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
    }, `picked-${plainName}`);
    expect(hex).toBe(await fileSha256(join(s.dir, plainName)));
  });

  it("without the key in this browser it asks for the recovery key: a malformed or wrong one is refused, the right one downloads", async () => {
    const page = s.dash.page;
    await page.addInitScript(() => {
      Object.defineProperty(window, "showSaveFilePicker", { value: undefined, configurable: true });
    });
    await openDatasets(page, secretRef);
    await page.evaluate(
      () =>
        new Promise<void>((resolve, reject) => {
          const r = indexedDB.deleteDatabase("cyxwiz-dataset-keys");
          r.onsuccess = () => resolve();
          r.onerror = () => reject(r.error);
          r.onblocked = () => resolve(); // deleted once the page's connection closes
        }),
    );
    await openDatasets(page, secretRef);
    await page.getByTestId(`dataset-download-${secretRef}`).click();
    const input = page.getByTestId(`dataset-key-input-${secretRef}`);
    await input.fill("not a key");
    await page.getByTestId(`dataset-key-submit-${secretRef}`).click();
    await expect
      .poll(() => page.getByTestId(`dataset-key-error-${secretRef}`).textContent())
      .toContain('character 1 is "n"');

    await input.fill("00".repeat(32));
    await page.getByTestId(`dataset-key-submit-${secretRef}`).click();
    await expect
      .poll(() => page.getByTestId(`dataset-key-error-${secretRef}`).textContent(), { timeout: 30_000 })
      .toContain("not this dataset's key");

    await page.getByTestId(`dataset-key-file-${secretRef}`).setInputFiles({
      name: "secret.key",
      mimeType: "text/plain",
      buffer: Buffer.from(secretKey),
    });
    await expect.poll(() => input.inputValue()).toBe(secretKey.trim());
    const saved = await savedDownload(page, `dataset-key-submit-${secretRef}`);
    expect(await fileSha256(saved.path)).toBe(await fileSha256(join(s.dir, secretName)));
  });

  it("a chunk damaged in the gateway's store fails the download, naming the chunk, and saves nothing", async () => {
    const { manifest } = await fetchManifest(s.gw.url, s.gw.adminToken, plainRef);
    const hex = Buffer.from(manifest!.chunkDigests[1]!).toString("hex");
    const stored = join(s.gw.dataDir, "chunks", hex.slice(0, 2), hex);
    const bytes = await readFile(stored);
    bytes[1000] = bytes[1000]! ^ 0x01;
    await writeFile(stored, bytes);

    const page = s.dash.page;
    const downloads: string[] = [];
    page.on("download", (d) => downloads.push(d.suggestedFilename()));
    await openDatasets(page, plainRef);
    await page.getByTestId(`dataset-download-${plainRef}`).click();
    const result = page.getByTestId(`dataset-download-result-${plainRef}`);
    await expect.poll(() => result.getAttribute("data-state"), { timeout: 60_000 }).toBe("failed");
    expect(await result.getAttribute("data-chunk")).toBe("1");
    expect(await result.textContent()).toContain("chunk 1 of");
    expect(downloads).toEqual([]);
  });

  it("shows its progress, and Cancel stops it: nothing saved, Download offered again", async () => {
    const path = join(s.dir, "download-cancel-64mb.bin");
    await writeFile(path, randomBytes(64 * 1024 * 1024));
    // Uploaded with the CLI (the dashboard's upload is tested above): only the download is under test.
    const up = await runCli(
      ["upload", path, "--name", "download-cancel", "--classification", "public", "--gateway", s.gw.url, "--json"],
      { CYXWIZ_TOKEN: s.gw.adminToken, CYXWIZ_STATE_DIR: join(s.dir, "state") },
    );
    expect(up.code, up.stderr).toBe(0);
    const { ref } = JSON.parse(up.stdout) as { ref: string };
    const page = s.dash.page;
    await page.addInitScript(() => {
      Object.defineProperty(window, "showSaveFilePicker", { value: undefined, configurable: true });
    });
    const downloads: string[] = [];
    page.on("download", (d) => downloads.push(d.suggestedFilename()));
    await openDatasets(page, ref);
    await page.getByTestId(`dataset-download-${ref}`).click();
    const progress = page.getByTestId(`dataset-download-progress-${ref}`);
    await expect.poll(async () => Number(await progress.getAttribute("value")), { timeout: 60_000 }).toBeGreaterThan(0);
    expect(await page.getByTestId(`dataset-download-percent-${ref}`).textContent()).toMatch(/^\d+%$/);
    await page.getByTestId(`dataset-download-cancel-${ref}`).click();
    const result = page.getByTestId(`dataset-download-result-${ref}`);
    await expect.poll(() => result.getAttribute("data-state"), { timeout: 30_000 }).toBe("cancelled");
    await page.getByTestId(`dataset-download-${ref}`).waitFor();
    expect(downloads).toEqual([]);
  });
});
