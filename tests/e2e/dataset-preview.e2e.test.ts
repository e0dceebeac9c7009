/**
 * The datasets page shows what was uploaded: a CSV of samples (encrypted, uploaded by the CLI,
 * opened with its key file as the recovery key) and MNIST t10k (unencrypted) previewed from their
 * first chunks; MNIST downloads as one Arrow IPC file; the data policy shows the level's defaults
 * and keeps a changed expiry.
 */
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { tableFromIPC } from "apache-arrow";
import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { runCli } from "./support/cli.js";
import { repoRoot } from "./support/gateway-process.js";
import { signedInDashboard } from "./support/signed-in-dashboard.js";

const s = signedInDashboard("cyxwiz-e2e-preview-");
const csvRef = "pets@v1";
const mnistRef = "mnist@v1";
const mnistDir = join(repoRoot, "test-data/mnist");
let csvKey: string;

async function cli(args: string[]): Promise<unknown> {
  const r = await runCli([...args, "--gateway", s.gw.url, "--json"], {
    CYXWIZ_TOKEN: s.gw.adminToken,
    CYXWIZ_STATE_DIR: join(s.dir, "state"),
  });
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout);
}

async function openDatasets(page: Page, ref: string): Promise<void> {
  await page.goto(`${s.gw.url}/datasets/`);
  await page.getByTestId(`dataset-row-${ref}`).waitFor();
}

/** Labels of MNIST t10k, counted from the IDX file: label → samples. */
async function t10kLabelCounts(): Promise<Record<string, number>> {
  const idx = gunzipSync(await readFile(join(mnistDir, "t10k-labels-idx1-ubyte.gz")));
  const counts: Record<string, number> = {};
  for (const label of idx.subarray(8)) counts[String(label)] = (counts[String(label)] ?? 0) + 1;
  return counts;
}

describe("previewing datasets on the datasets page", () => {
  it("uploads a CSV of samples encrypted and MNIST unencrypted with the CLI", async () => {
    const csv = join(s.dir, "pets.csv");
    const rows = Array.from({ length: 600 }, (_, i) => `${i},${(i * 0.25).toFixed(2)},${i % 4 === 0 ? "cat" : "dog"}`);
    await writeFile(csv, `id,weight,label\n${rows.join("\n")}\n`);
    const keyFile = join(s.dir, "pets.key");
    await cli([
      "upload",
      csv,
      "--name",
      "pets",
      "--classification",
      "confidential",
      "--encrypt",
      "--key-file",
      keyFile,
      "--compress",
      "--chunk-size",
      "4KiB",
    ]);
    csvKey = await readFile(keyFile, "utf8");
    expect(csvKey).toMatch(/^[0-9a-f]{64}\n$/);
    await cli([
      "upload",
      join(mnistDir, "t10k-images-idx3-ubyte.gz"),
      join(mnistDir, "t10k-labels-idx1-ubyte.gz"),
      "--name",
      "mnist",
      "--classification",
      "public",
    ]);
  });

  it("the encrypted CSV asks for its key, refuses a wrong one, and shows rows and first-chunk stats with the right one", async () => {
    const page = s.dash.page;
    await openDatasets(page, csvRef);
    await page.getByTestId(`dataset-preview-${csvRef}`).click();
    const input = page.getByTestId(`preview-key-input-${csvRef}`);
    await input.fill("00".repeat(32));
    await page.getByTestId(`preview-key-submit-${csvRef}`).click();
    await expect
      .poll(() => page.getByTestId(`preview-key-error-${csvRef}`).textContent(), { timeout: 30_000 })
      .toContain("not this dataset's key");
    await input.fill(csvKey);
    await page.getByTestId(`preview-key-submit-${csvRef}`).click();
    const panel = page.getByTestId(`preview-panel-${csvRef}`);
    await panel.waitFor({ timeout: 30_000 });
    expect(await page.getByTestId(`preview-format-${csvRef}`).textContent()).toContain("csv");
    expect(await page.getByTestId(`preview-samples-${csvRef}`).textContent()).toBe("600");
    expect(Number(await page.getByTestId(`preview-chunks-${csvRef}`).textContent())).toBeGreaterThan(1);
    const table = panel.getByTestId("sample-table");
    expect(await table.locator("tbody tr").count()).toBe(10);
    expect(await table.locator("tbody tr").first().textContent()).toContain("cat");
    const stats = panel.getByTestId("column-stats");
    expect(await stats.textContent()).toMatch(/first chunk's \d+ samples/);
    expect(await panel.getByTestId("column-stats-weight").textContent()).toContain("0");
    expect(await page.getByTestId(`dataset-policy-encryption-${csvRef}`).textContent()).toBe("yes");
  });

  it("MNIST shows thumbnails and the whole dataset's 10-class histogram (the t10k counts)", async () => {
    const page = s.dash.page;
    await openDatasets(page, mnistRef);
    await page.getByTestId(`dataset-preview-${mnistRef}`).click();
    const panel = page.getByTestId(`preview-panel-${mnistRef}`);
    await panel.waitFor({ timeout: 30_000 });
    expect(await page.getByTestId(`preview-samples-${mnistRef}`).textContent()).toBe("10000");
    expect(await panel.getByTestId("image-grid").locator("li").count()).toBe(16);
    const histogram = panel.getByTestId("class-histogram-table");
    const shown: Record<string, number> = {};
    for (const row of await histogram.locator("tbody tr").all()) {
      shown[(await row.locator("th").textContent())!.trim()] = Number(await row.locator("td").textContent());
    }
    expect(Object.keys(shown)).toHaveLength(10);
    expect(shown).toEqual(await t10kLabelCounts());
    expect(await page.getByTestId(`preview-split-${mnistRef}`).textContent()).toMatch(/train \d+(\.\d)?%/);
  });

  it("the policy panel shows the Public defaults; a changed expiry is kept after a reload, raising unencrypted data to Confidential is refused", async () => {
    const page = s.dash.page;
    await openDatasets(page, mnistRef);
    await page.getByTestId(`dataset-preview-${mnistRef}`).click();
    await page.getByTestId(`dataset-policy-${mnistRef}`).waitFor();
    const value = (key: string) => page.getByTestId(`dataset-policy-${key}-${mnistRef}`).textContent();
    expect(await value("classification")).toBe("Public");
    expect(await value("encryption")).toBe("no");
    expect(await value("min-reputation")).toBe("0");
    expect(await value("cache-ttl")).toBe("168 h");
    expect(await value("expiry")).toBe("kept until deleted");

    await page.getByTestId(`dataset-policy-expiry-input-${mnistRef}`).fill("30");
    await page.getByTestId(`dataset-policy-save-${mnistRef}`).click();
    await page.getByTestId(`dataset-policy-saved-${mnistRef}`).waitFor();
    await openDatasets(page, mnistRef);
    await page.getByTestId(`dataset-preview-${mnistRef}`).click();
    await expect.poll(() => value("expiry")).toBe("30 days after upload");
    expect(await page.getByTestId(`dataset-policy-expires-at-${mnistRef}`).count()).toBe(1);

    await page.getByTestId(`dataset-policy-classification-input-${mnistRef}`).selectOption("confidential");
    await page.getByTestId(`dataset-policy-save-${mnistRef}`).click();
    const refusal = page.getByTestId(`dataset-policy-save-error-${mnistRef}`);
    await refusal.waitFor();
    expect(await refusal.textContent()).toMatch(/encrypt/i);
    expect(await page.getByTestId(`dataset-classification-${mnistRef}`).textContent()).toBe("Public");
  });

  it("Download of MNIST saves mnist.arrow, one Arrow IPC file of 10,000 rows", async () => {
    const page = s.dash.page;
    await page.addInitScript(() => {
      Object.defineProperty(window, "showSaveFilePicker", { value: undefined, configurable: true });
    });
    await openDatasets(page, mnistRef);
    const button = page.getByTestId(`dataset-download-${mnistRef}`);
    expect(await button.getAttribute("data-format")).toBe("arrow");
    const [download] = await Promise.all([page.waitForEvent("download", { timeout: 120_000 }), button.click()]);
    expect(download.suggestedFilename()).toBe("mnist.arrow");
    const table = tableFromIPC(await readFile(await download.path()));
    expect(table.numRows).toBe(10_000);
    expect(table.schema.fields.map((f) => f.name)).toContain("label");
  });
});
