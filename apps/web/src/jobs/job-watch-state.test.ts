import { create } from "@bufbuild/protobuf";
import { JobState, WatchJobResponseSchema, WorkerState } from "@cyxwiz/protocol/gen";
import { describe, expect, it } from "vitest";
import { closedRound, runningJob, worker } from "./job-fixtures.js";
import { globalSeries, lastAccuracy, workerSeries } from "./job-series.js";
import { applyJobEvent } from "./job-watch-state.js";

const event = (e: Parameters<typeof create<typeof WatchJobResponseSchema>>[1]) => create(WatchJobResponseSchema, e);

describe("applyJobEvent", () => {
  it("starts from the snapshot and ignores events before it", () => {
    const snapshot = runningJob();
    expect(applyJobEvent(undefined, event({ event: { case: "state", value: JobState.FAILED } }))).toBeUndefined();
    expect(applyJobEvent(undefined, event({ event: { case: "snapshot", value: snapshot } }))).toBe(snapshot);
  });

  it("adds closed rounds in order, replaces a round seen again, and moves the round counter", () => {
    let job = runningJob();
    job = applyJobEvent(job, event({ event: { case: "roundClosed", value: closedRound(2, 0.8) } }))!;
    job = applyJobEvent(job, event({ event: { case: "roundClosed", value: closedRound(1, 0.6) } }))!;
    job = applyJobEvent(job, event({ event: { case: "roundClosed", value: closedRound(2, 0.85) } }))!;
    expect(job.rounds.map((r) => [r.round, r.global?.accuracy])).toEqual([
      [1, 0.6],
      [2, 0.85],
    ]);
    expect(job.currentRound).toBe(2);
  });

  it("replaces a worker by node id, adds a new one, sets the state, and leaves the old job as it was", () => {
    const before = runningJob();
    let job = applyJobEvent(
      before,
      event({ event: { case: "worker", value: worker("node_a", 0, { state: WorkerState.LOST }) } }),
    )!;
    job = applyJobEvent(job, event({ event: { case: "worker", value: worker("node_c", 2) } }))!;
    job = applyJobEvent(job, event({ event: { case: "state", value: JobState.SUCCEEDED } }))!;
    expect(job.workers.map((w) => [w.nodeId, w.state])).toEqual([
      ["node_a", WorkerState.LOST],
      ["node_b", WorkerState.TRAINING],
      ["node_c", WorkerState.TRAINING],
    ]);
    expect(job.state).toBe(JobState.SUCCEEDED);
    expect(before.workers[0]?.state).toBe(WorkerState.TRAINING);
    expect(before.state).toBe(JobState.RUNNING);
  });
});

describe("job series", () => {
  it("global points per evaluated round, worker lines per node, the last accuracy", () => {
    const job = runningJob({ rounds: [closedRound(2, 0.8), closedRound(1, 0.6)] });
    expect(globalSeries(job)).toEqual([
      { round: 1, loss: 1 - 0.6, accuracy: 0.6 },
      { round: 2, loss: 1 - 0.8, accuracy: 0.8 },
    ]);
    const w = workerSeries(job);
    expect(w.nodes).toEqual(["node_a", "node_b"]);
    expect(w.rows[1]).toMatchObject({ round: 2, "accuracy:node_a": 0.8 - 0.02, "accuracy:node_b": 0.8 - 0.04 });
    expect(lastAccuracy(job)).toBe(0.8);
    expect(lastAccuracy(runningJob())).toBeUndefined();
  });
});
