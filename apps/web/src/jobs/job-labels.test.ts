import { JobState, RoundClose } from "@cyxwiz/protocol/gen";
import { describe, expect, it } from "vitest";
import { jobStateLabel, roundCloseLabel, shortNodeId } from "./job-labels.js";

describe("job labels", () => {
  it("names every job state the proto has, with distinct data-state names and words for people", () => {
    const states = Object.values(JobState).filter((v): v is JobState => typeof v === "number");
    const names = states.map((s) => jobStateLabel(s).name);
    expect(new Set(names).size).toBe(states.length);
    expect(jobStateLabel(JobState.WAITING_FOR_KEYS)).toEqual({ name: "waiting-for-keys", label: "Waiting for keys" });
    expect(jobStateLabel(JobState.CANCELLED).label).toBe("Cancelled");
  });

  it("a round is open until closed by quorum or deadline; node ids are shortened", () => {
    expect(roundCloseLabel(RoundClose.DEADLINE)).toBe("deadline");
    expect(roundCloseLabel(RoundClose.UNSPECIFIED)).toBeUndefined();
    expect(shortNodeId("a".repeat(64))).toBe(`${"a".repeat(12)}…`);
    expect(shortNodeId("abc")).toBe("abc");
  });
});
