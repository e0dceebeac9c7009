import { JobState, NodeKind, NodeState, RoundClose, WorkerState } from "@cyxwiz/protocol/gen";
import { describe, expect, it } from "vitest";
import {
  isFinished,
  jobStateLabel,
  nodeKindLabel,
  nodeStateLabel,
  roundCloseLabel,
  shortNodeId,
  workerStateLabel,
} from "./job-labels.js";

describe("job labels", () => {
  it("names every job state the proto has, with distinct data-state names", () => {
    const states = Object.values(JobState).filter((v): v is JobState => typeof v === "number");
    const names = states.map((s) => jobStateLabel(s).name);
    expect(new Set(names).size).toBe(states.length);
    expect(jobStateLabel(JobState.WAITING_FOR_KEYS)).toEqual({ name: "waiting-for-keys", label: "Waiting for keys" });
    expect(jobStateLabel(99 as JobState).label).toBe("State 99");
  });

  it("a job is finished once it succeeded, failed or was cancelled", () => {
    expect([JobState.SUCCEEDED, JobState.FAILED, JobState.CANCELLED].every(isFinished)).toBe(true);
    expect([JobState.WAITING_FOR_WORKERS, JobState.WAITING_FOR_KEYS, JobState.RUNNING].some(isFinished)).toBe(false);
  });

  it("words for workers, nodes and round closes", () => {
    expect(workerStateLabel(WorkerState.TRAINING)).toBe("training");
    expect(nodeKindLabel(NodeKind.BROWSER)).toBe("browser");
    expect(nodeStateLabel(NodeState.LOST)).toBe("lost");
    expect(roundCloseLabel(RoundClose.DEADLINE)).toBe("deadline");
    expect(roundCloseLabel(RoundClose.UNSPECIFIED)).toBeUndefined();
    expect(shortNodeId("a".repeat(64))).toBe(`${"a".repeat(12)}…`);
    expect(shortNodeId("abc")).toBe("abc");
  });
});
