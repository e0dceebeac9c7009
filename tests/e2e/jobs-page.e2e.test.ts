/**
 * The jobs pages against the real gateway (docs/compute.md "Dashboard"): a dataset of samples
 * uploaded by the CLI is offered by the New job form; the job submitted with the form's defaults
 * waits for workers on its page, is listed, and is cancelled from its page.
 */
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { mnistPath } from "../../test-support/datasets.js";
import { runCli } from "./support/cli.js";
import { signedInDashboard } from "./support/signed-in-dashboard.js";

const s = signedInDashboard("cyxwiz-e2e-jobs-");

describe("jobs pages", () => {
  it("submits a job with the form's defaults, shows it waiting for workers, and cancels it", async () => {
    const up = await runCli(
      [
        "upload",
        mnistPath("images"),
        mnistPath("labels"),
        "--name",
        "mnist",
        "--classification",
        "public",
        "--split",
        "800/200/0",
        "--json",
        "--gateway",
        s.gw.url,
      ],
      { CYXWIZ_TOKEN: s.gw.adminToken, CYXWIZ_STATE_DIR: join(s.dir, "state") },
    );
    expect(up.code, up.stderr).toBe(0);

    const page = s.dash.page;
    await page.getByTestId("nav-jobs").click();
    await page.getByTestId("jobs-new").click();
    await expect.poll(() => page.getByTestId("job-dataset").inputValue(), { timeout: 30_000 }).toBe("mnist@v1");
    await page.getByTestId("job-submit").click();

    await expect
      .poll(() => page.getByTestId("job-state").getAttribute("data-state"), { timeout: 30_000 })
      .toBe("waiting-for-workers");
    expect(await page.getByTestId("job-dataset").textContent()).toBe("mnist@v1");
    // WatchJob streams through connect-web: the page is live, not polling GetJob.
    expect(await page.getByTestId("job-watch-mode").getAttribute("data-mode")).toBe("live");
    expect(await page.getByTestId("job-round").textContent()).toBe("0/5");
    const id = (await page.getByTestId("job-id").textContent()) ?? "";
    expect(page.url()).toContain(`/jobs/?id=${id}`);

    await page.getByTestId("job-cancel").click();
    await page.getByTestId("job-cancel-confirm").click();
    await expect
      .poll(() => page.getByTestId("job-state").getAttribute("data-state"), { timeout: 30_000 })
      .toBe("cancelled");

    await page.getByTestId("nav-jobs").click();
    await expect
      .poll(() => page.getByTestId(`job-row-state-${id}`).getAttribute("data-state"), { timeout: 30_000 })
      .toBe("cancelled");
  });
});
