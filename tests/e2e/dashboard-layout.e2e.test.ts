import { randomBytes } from "node:crypto";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { Locator, Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { signedInDashboard } from "./support/signed-in-dashboard.js";

/** Where screenshots go when CYXWIZ_E2E_SCREENSHOTS names a folder (to look at the layout by eye). */
const shots = process.env.CYXWIZ_E2E_SCREENSHOTS;

const s = signedInDashboard("cyxwiz-e2e-layout-");

/** Whether the element lies wholly inside the page's viewport (no sideways scrolling needed). */
async function inViewport(page: Page, element: Locator): Promise<boolean> {
  const box = await element.boundingBox();
  const size = page.viewportSize();
  if (box === null || size === null) return false;
  return box.x >= 0 && box.y >= 0 && box.x + box.width <= size.width;
}

describe("the dashboard's layout", () => {
  it("at 760 px wide the datasets table keeps Verify, Download and Delete on screen", async () => {
    const f = "quarterly-customer-transactions-normalised-2026.csv";
    const path = join(s.dir, f);
    await writeFile(path, "id,amount\n1,2\n");
    await s.dash.chooseFiles([path], { classification: "2", compression: "zstd" });
    await s.dash.start(f);
    await s.dash.committedRoot(f);
    const ref = (await s.dash.page.getByTestId(`upload-ref-${f}`).textContent())!.trim();
    await s.dash.exportKey(f); // encrypted and not escrowed: the page asks before leaving until exported

    const page = s.dash.page;
    await page.setViewportSize({ width: 760, height: 800 });
    await page.getByTestId("nav-datasets").click();
    await page.getByTestId(`dataset-row-${ref}`).waitFor();
    if (shots !== undefined) await page.screenshot({ path: join(shots, "datasets-760.png"), fullPage: true });
    expect(await inViewport(page, page.getByTestId(`dataset-verify-${ref}`))).toBe(true);
    expect(await inViewport(page, page.getByTestId(`dataset-download-${ref}`))).toBe(true);
    expect(await inViewport(page, page.getByTestId(`dataset-delete-${ref}`))).toBe(true);
    const table = page.getByTestId("datasets-table");
    expect(await inViewport(page, table)).toBe(true);

    // The recovery key form (this browser's key forgotten) fits too.
    await page.evaluate(
      () =>
        new Promise((resolve, reject) => {
          const r = indexedDB.deleteDatabase("cyxwiz-dataset-keys");
          r.onsuccess = resolve;
          r.onerror = () => reject(r.error);
        }),
    );
    await page.reload();
    await page.getByTestId(`dataset-download-${ref}`).click();
    await page.getByTestId(`dataset-key-submit-${ref}`).waitFor();
    if (shots !== undefined) await page.screenshot({ path: join(shots, "datasets-760-key.png"), fullPage: true });
    expect(await inViewport(page, page.getByTestId(`dataset-key-submit-${ref}`))).toBe(true);
    expect(await inViewport(page, page.getByTestId(`dataset-key-input-${ref}`))).toBe(true);
    expect(await inViewport(page, table)).toBe(true);
    await page.getByTestId(`dataset-key-cancel-${ref}`).click();
  });

  it("an unknown path shows the dashboard's own not-found page, with the way back", async () => {
    const page = s.dash.page;
    const response = await page.goto(`${s.gw.url}/no-such-page/`);
    expect(response?.status()).toBe(404);
    await page.getByTestId("not-found").waitFor();
    if (shots !== undefined) await page.screenshot({ path: join(shots, "not-found.png"), fullPage: true });
    expect(await page.getByTestId("not-found-upload").getAttribute("href")).toBe("/");
    await page.getByTestId("not-found-datasets").click();
    await page.waitForURL(`${s.gw.url}/datasets/`);
  });
});

describe("what an upload row says", () => {
  it("a file started behind another is Queued (no rate or ETA); Pause says Pausing until the frames in flight are answered, then the bar stops", async () => {
    const page = s.dash.page;
    await page.setViewportSize({ width: 1280, height: 900 });
    await page.getByTestId("nav-upload").click();
    const big = "queue-first-60mb.bin";
    const small = "queue-second.bin";
    await writeFile(join(s.dir, big), randomBytes(60 * 1000 * 1000));
    await writeFile(join(s.dir, small), randomBytes(1000));
    await s.dash.chooseFiles([join(s.dir, big), join(s.dir, small)], {
      classification: "0",
      encrypt: false,
      compression: "none",
    });
    await page.getByTestId("upload-start-all").click();
    await page.locator(`[data-testid="upload-row-${big}"][data-phase="uploading"]`).waitFor({ timeout: 60_000 });
    expect(await s.dash.phase(small)).toBe("queued");
    expect((await page.getByTestId(`upload-status-${small}`).textContent())?.trim()).toBe("Queued");
    expect(await page.getByTestId(`upload-rate-${small}`).count()).toBe(0);
    expect(await page.getByTestId(`upload-eta-${small}`).count()).toBe(0);

    await page.getByTestId(`upload-pause-${big}`).click();
    expect(["pausing", "paused"]).toContain(await s.dash.phase(big));
    await page.locator(`[data-testid="upload-row-${big}"][data-phase="paused"]`).waitFor({ timeout: 60_000 });
    // Paused means nothing is in flight: the bar no longer moves.
    const bytes = await page.getByTestId(`upload-bytes-${big}`).textContent();
    await new Promise((r) => setTimeout(r, 1500));
    expect(await page.getByTestId(`upload-bytes-${big}`).textContent()).toBe(bytes);
    // The paused upload gives its slot up: the queued one goes.
    await s.dash.committedRoot(small, 60_000);
    await page.getByTestId(`upload-cancel-${big}`).click();
    await page.locator(`[data-testid="upload-row-${big}"][data-phase="cancelled"]`).waitFor({ timeout: 60_000 });
  });
});
