import { createClient, type Interceptor } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-node";
import { JobService, JobState } from "@cyxwiz/protocol/gen";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningGateway, startGateway } from "../../test-support/gateway-harness.js";
import { commitTestDataset, testSpec } from "../../test-support/job-world.js";

let gw: RunningGateway;
beforeAll(async () => {
  gw = await startGateway();
});
afterAll(async () => {
  await gw?.stop();
});

describe("JobService over HTTP", () => {
  it("serves jobs to their owner with a bearer token, streams WatchJob, and closes with a stream open", async () => {
    const { ref } = await commitTestDataset(gw.gateway.deps, { owner: "admin", name: "points" });
    const bearer: Interceptor = (next) => (req) => {
      req.header.set("authorization", `Bearer ${gw.adminToken}`);
      return next(req);
    };
    const jobs = createClient(
      JobService,
      createConnectTransport({ baseUrl: gw.url, httpVersion: "1.1", interceptors: [bearer] }),
    );
    const { job } = await jobs.submitJob({ spec: testSpec(ref) });
    expect(job?.state).toBe(JobState.WAITING_FOR_WORKERS);
    const anonymous = createClient(JobService, createConnectTransport({ baseUrl: gw.url, httpVersion: "1.1" }));
    await expect(anonymous.listJobs({})).rejects.toThrow(/token/i);

    const seen: string[] = [];
    let snapshot: () => void = () => undefined;
    const first = new Promise<void>((resolve) => {
      snapshot = resolve;
    });
    const watching = (async () => {
      try {
        for await (const m of jobs.watchJob({ id: job!.id })) {
          seen.push(m.event.case ?? "");
          snapshot();
        }
      } catch {
        // the server went away: that is this test's point
      }
    })();
    await first;
    expect(seen).toEqual(["snapshot"]);
    const t0 = Date.now();
    await gw.stop();
    expect(Date.now() - t0).toBeLessThan(15_000);
    await watching;
    gw = undefined as unknown as RunningGateway;
  });
});
