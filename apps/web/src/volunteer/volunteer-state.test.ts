import { describe, expect, it } from "vitest";
import type { VolunteerEvent } from "./volunteer-protocol.js";
import { applyVolunteerEvent, IDLE_VIEW, joiningView } from "./volunteer-state.js";

const fold = (events: VolunteerEvent[]) => events.reduce(applyVolunteerEvent, joiningView(IDLE_VIEW));

describe("volunteer view", () => {
  it("follows a round: registered, backend, assignment, batches, an accepted update", () => {
    const v = fold([
      { type: "registered", nodeId: "node_1" },
      { type: "backend", backend: "wasm", reason: "webgpu did not initialise: wasm" },
      { type: "assignment", jobId: "job_1", round: 1, shard: 2, samples: 500, chunks: 3 },
      { type: "fetch", done: 3, total: 3, cached: 1 },
      { type: "batch", step: 16, loss: 0.7, accuracy: 0.8, samplesPerSecond: 900 },
      { type: "submitted", jobId: "job_1", round: 1, accepted: true, reason: "" },
    ]);
    expect(v).toMatchObject({
      status: "working",
      nodeId: "node_1",
      backend: "wasm",
      backendReason: "webgpu did not initialise: wasm",
      jobId: "job_1",
      round: 1,
      shard: 2,
      loss: 0.7,
      samplesPerSecond: 900,
      samplesTrained: 500,
      updatesAccepted: 1,
      updatesSent: 1,
    });
  });

  it("shows the mean loss and accuracy of the round's batches so far, not the last batch's", () => {
    const v = fold([
      { type: "assignment", jobId: "job_1", round: 1, shard: 0, samples: 96, chunks: 1 },
      { type: "batch", step: 1, loss: 0.9, accuracy: 0.5, samplesPerSecond: 100 },
      { type: "batch", step: 2, loss: 0.6, accuracy: 0.75, samplesPerSecond: 110 },
      { type: "batch", step: 3, loss: 0.3, accuracy: 1, samplesPerSecond: 120 },
    ]);
    expect(v.batches).toBe(3);
    expect(v.loss).toBeCloseTo(0.6, 12);
    expect(v.accuracy).toBeCloseTo(0.75, 12);
    expect(v.samplesPerSecond).toBe(120);
  });

  it("counts a rejected update as sent, not accepted, and says why", () => {
    const v = fold([
      { type: "assignment", jobId: "job_1", round: 3, shard: 0, samples: 10, chunks: 1 },
      { type: "submitted", jobId: "job_1", round: 3, accepted: false, reason: "late" },
    ]);
    expect([v.updatesSent, v.updatesAccepted]).toEqual([1, 0]);
    expect(v.lastUpdate).toBe("Round 3 of job_1: update rejected (late).");
  });

  it("a new assignment drops the last round's batch figures; erasure drops the assignment; left stops", () => {
    let v = fold([
      { type: "assignment", jobId: "job_1", round: 1, shard: 0, samples: 10, chunks: 1 },
      { type: "batch", step: 1, loss: 2, accuracy: 0.1, samplesPerSecond: 5 },
      { type: "assignment", jobId: "job_1", round: 2, shard: 0, samples: 10, chunks: 1 },
    ]);
    expect([v.loss, v.batches]).toEqual([undefined, undefined]);
    v = applyVolunteerEvent(v, { type: "erased", jobId: "job_1", chunks: 1, overwritten: false });
    expect(v.jobId).toBeUndefined();
    expect(applyVolunteerEvent(v, { type: "left" }).status).toBe("stopped");
  });
});
