import { describe, expect, it } from "vitest";
import { JobState, NodeKind, NodeState, RoundClose, WorkerState } from "../gen-exports.js";
import {
  AGGREGATION_RULES,
  EVALUATION_SPLITS,
  isJobFinished,
  jobStateName,
  nodeKindName,
  nodeStateName,
  roundCloseName,
  workerStateName,
} from "./compute.js";

describe("compute vocabulary", () => {
  it("names every job state as a lowercase word, and only the three ends as finished", () => {
    expect(
      [
        JobState.WAITING_FOR_WORKERS,
        JobState.WAITING_FOR_KEYS,
        JobState.RUNNING,
        JobState.SUCCEEDED,
        JobState.FAILED,
        JobState.CANCELLED,
      ].map((s) => [jobStateName(s), isJobFinished(s)]),
    ).toEqual([
      ["waiting-for-workers", false],
      ["waiting-for-keys", false],
      ["running", false],
      ["succeeded", true],
      ["failed", true],
      ["cancelled", true],
    ]);
    expect(jobStateName(99 as JobState)).toBe("unknown-99");
  });

  it("names workers, nodes and round closes, and lists the rules and splits a spec may name", () => {
    expect(workerStateName(WorkerState.TRAINING)).toBe("training");
    expect([WorkerState.LOST, WorkerState.REJECTED, WorkerState.DONE].map(workerStateName)).toEqual([
      "lost",
      "rejected",
      "done",
    ]);
    expect(nodeKindName(NodeKind.DAEMON)).toBe("daemon");
    expect(nodeStateName(NodeState.IDLE)).toBe("idle");
    expect(roundCloseName(RoundClose.QUORUM)).toBe("quorum");
    expect(AGGREGATION_RULES).toEqual(["fedavg", "trimmed-mean", "krum"]);
    expect(EVALUATION_SPLITS).toEqual(["validation", "test"]);
  });
});
