import { create } from "@bufbuild/protobuf";
import { JobSchema, JobState, JobWorkerSchema, RoundClose, RoundSchema, WorkerState } from "@cyxwiz/protocol/gen";
import { describe, expect, it } from "vitest";
import { roundLine, watchSummary } from "./job-describe.js";

describe("watchSummary and roundLine", () => {
  it("sums up a watched job: lowercase state, rounds closed, the last evaluated round's metrics, the workers", () => {
    const job = create(JobSchema, {
      id: "job_1",
      spec: { rounds: 4 },
      state: JobState.SUCCEEDED,
      currentRound: 3,
      rounds: [
        create(RoundSchema, { round: 1, closedBy: RoundClose.DEADLINE, updatesAccepted: 1 }),
        create(RoundSchema, { round: 2, global: { loss: 0.5, accuracy: 0.8, samples: 10n } }),
        create(RoundSchema, { round: 3, closedBy: RoundClose.DEADLINE }),
      ],
      workers: [
        create(JobWorkerSchema, { nodeId: "n_a", backend: "webgpu", state: WorkerState.TRAINING, shardSamples: 100n }),
        create(JobWorkerSchema, { nodeId: "n_b", shardSamples: 50n }),
      ],
    });
    expect(watchSummary(job)).toEqual({
      job: "job_1",
      state: "succeeded",
      rounds: 3,
      accuracy: 0.8,
      loss: 0.5,
      workers: [
        { node: "n_a", backend: "webgpu", samples: 100 },
        { node: "n_b", backend: "", samples: 50 },
      ],
    });
    expect(watchSummary(create(JobSchema, { id: "job_2", state: JobState.FAILED }))).toMatchObject({
      state: "failed",
      rounds: 0,
      accuracy: null,
      loss: null,
    });
  });

  it("says when a round was not evaluated", () => {
    const r = create(RoundSchema, { round: 3, closedBy: RoundClose.DEADLINE, updatesAccepted: 2, updatesRejected: 1 });
    expect(roundLine(r, 4)).toBe("round 3/4  not evaluated  accepted 2  rejected 1  closed by deadline");
  });
});
