import { create } from "@bufbuild/protobuf";
import { Code, ConnectError, createClient, createRouterTransport } from "@connectrpc/connect";
import { DatasetService, JobSchema, JobService, JobState } from "@cyxwiz/protocol/gen";
import { act } from "react";
import { afterEach, describe, expect, it } from "vitest";
import { byTestId, type Rendered, render, until } from "../testing/render.js";
import { computeClientsOver } from "./compute-clients.js";
import { closedRound, runningJob } from "./job-fixtures.js";
import { JobsPage } from "./jobs-page.js";

let r: Rendered | undefined;
afterEach(async () => {
  await r?.unmount();
  r = undefined;
});

describe("JobsPage", () => {
  it("lists the caller's jobs with their state badge, round r/R, last accuracy and a link to each", async () => {
    const transport = createRouterTransport(({ service }) => {
      service(JobService, {
        listJobs: () => ({
          jobs: [
            runningJob({ id: "job_2", currentRound: 2, rounds: [closedRound(1, 0.5), closedRound(2, 0.91)] }),
            create(JobSchema, {
              id: "job_1",
              state: JobState.WAITING_FOR_WORKERS,
              reason: "1 of 2 workers registered",
              spec: { datasetRef: "mnist@v1", model: { case: "modelJson", value: "{}" }, rounds: 3 },
            }),
          ],
        }),
      });
      service(DatasetService, { listDatasets: () => ({ datasets: [] }) });
    });
    r = await render(
      <JobsPage
        compute={computeClientsOver(transport)}
        datasets={createClient(DatasetService, transport)}
        openJob={() => {}}
      />,
      { width: 1000 },
    );
    const c = r.container;
    await until(() => byTestId(c, "jobs-table"));
    expect(byTestId(c, "job-row-state-job_2").dataset.state).toBe("running");
    expect(byTestId(c, "job-row-round-job_2").textContent).toBe("2/5");
    expect(byTestId(c, "job-row-accuracy-job_2").textContent).toBe("91.0%");
    expect(byTestId(c, "job-row-state-job_1").textContent).toBe("Waiting for workers");
    expect(byTestId(c, "job-row-job_1").textContent).toContain("1 of 2 workers registered");
    expect(byTestId(c, "job-row-accuracy-job_1").textContent).toBe("–");
    expect(byTestId(c, "job-link-job_2").getAttribute("href")).toBe("/jobs/?id=job_2");
    await act(async () => byTestId(c, "jobs-new").click());
    await until(() => byTestId(c, "job-no-datasets"));
  });

  it("shows why the list could not be loaded", async () => {
    const transport = createRouterTransport(({ service }) => {
      service(JobService, {
        listJobs: () => {
          throw new ConnectError("the compute plane is off on this gateway", Code.Unimplemented);
        },
      });
    });
    r = await render(
      <JobsPage
        compute={computeClientsOver(transport)}
        datasets={createClient(DatasetService, transport)}
        openJob={() => {}}
      />,
    );
    await until(() =>
      expect(byTestId(r!.container, "jobs-error").textContent).toBe(
        "Loading your jobs failed: the compute plane is off on this gateway.",
      ),
    );
  });
});
