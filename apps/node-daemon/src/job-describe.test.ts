import { create } from "@bufbuild/protobuf";
import { JobSchema, JobState, JobWorkerSchema, RoundClose, RoundSchema, WorkerState } from "@cyxwiz/protocol/gen";
import { describe, expect, it } from "vitest";
import { applyWatchEvent, roundLine, watchSummary } from "./job-describe.js";

const job = create(JobSchema, {
  id: "job_1",
  spec: { rounds: 4 },
  state: JobState.RUNNING,
  workers: [create(JobWorkerSchema, { nodeId: "n_a", backend: "cpu", shardSamples: 100n })],
});

describe("applyWatchEvent", () => {
  it("replaces rounds and workers by key, sets the state, and leaves its input alone", () => {
    const r1 = create(RoundSchema, { round: 1, closedBy: RoundClose.DEADLINE, updatesAccepted: 1 });
    const r2 = create(RoundSchema, { round: 2, global: { loss: 0.5, accuracy: 0.8, samples: 10n } });
    let j = applyWatchEvent(job, { case: "roundClosed", value: r2 });
    j = applyWatchEvent(j, { case: "roundClosed", value: r1 });
    j = applyWatchEvent(j, {
      case: "worker",
      value: create(JobWorkerSchema, {
        nodeId: "n_a",
        backend: "webgpu",
        state: WorkerState.TRAINING,
        shardSamples: 100n,
      }),
    });
    j = applyWatchEvent(j, { case: "worker", value: create(JobWorkerSchema, { nodeId: "n_b", shardSamples: 50n }) });
    j = applyWatchEvent(j, { case: "state", value: JobState.SUCCEEDED });
    expect(j!.rounds.map((r) => r.round)).toEqual([1, 2]);
    expect(j!.currentRound).toBe(2);
    expect(watchSummary(j!)).toEqual({
      job: "job_1",
      state: "succeeded",
      rounds: 2,
      accuracy: 0.8,
      loss: 0.5,
      workers: [
        { node: "n_a", backend: "webgpu", samples: 100 },
        { node: "n_b", backend: "", samples: 50 },
      ],
    });
    expect(job.rounds).toEqual([]);
    expect(job.workers[0]!.backend).toBe("cpu");
    expect(applyWatchEvent(undefined, { case: "state", value: JobState.FAILED })).toBeUndefined();
    expect(applyWatchEvent(undefined, { case: "snapshot", value: job })).toBe(job);
  });

  it("says when a round was not evaluated", () => {
    const r = create(RoundSchema, { round: 3, closedBy: RoundClose.DEADLINE, updatesAccepted: 2, updatesRejected: 1 });
    expect(roundLine(r, 4)).toBe("round 3/4  not evaluated  accepted 2  rejected 1  closed by deadline");
  });
});
