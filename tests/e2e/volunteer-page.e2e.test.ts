/**
 * The volunteer page against the real gateway (docs/compute.md "Dashboard"): Join makes the tab's
 * identity and runs runWorker in the page's Web Worker; the tab registers as a browser node, Stop
 * leaves, and the Nodes page lists it as a browser node that left. No job runs here: training.e2e.test.ts trains.
 */
import { describe, expect, it } from "vitest";
import { signedInDashboard } from "./support/signed-in-dashboard.js";

const s = signedInDashboard("cyxwiz-e2e-volunteer-");

describe("volunteer page", () => {
  it("Join registers the tab as a browser node; Stop leaves; the Nodes page lists it as left", async () => {
    const page = s.dash.page;
    await page.goto(`${s.gw.url}/volunteer/`);
    await page.getByTestId("volunteer-join").click();
    await expect.poll(() => page.getByTestId("volunteer-status").textContent(), { timeout: 60_000 }).toBe("Working");
    const nodeId = (await page.getByTestId("volunteer-node").textContent()) ?? "";
    expect(nodeId).toMatch(/^node_[0-9a-f]{32}$/);

    await page.getByTestId("volunteer-stop").click();
    await expect.poll(() => page.getByTestId("volunteer-status").textContent(), { timeout: 30_000 }).toBe("Left");

    // The session lives in this tab (sessionStorage): the Nodes page opens in the same one.
    await page.getByTestId("nav-nodes").click();
    const row = page.getByTestId(`node-row-${nodeId}`);
    await row.waitFor({ timeout: 30_000 });
    expect(await row.textContent()).toContain("browser");
    expect(await page.getByTestId(`node-state-${nodeId}`).textContent()).toBe("left");
  });
});
