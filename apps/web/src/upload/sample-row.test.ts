import { DataClassification } from "@cyxwiz/protocol/gen";
import { describe, expect, it } from "vitest";
import type { SampleAnalysis } from "./sample-analysis.js";
import { ANALYSING, sampleBlocker, withAnalysis, withSampleChoices } from "./sample-row.js";
import { defaultChoices } from "./upload-choices.js";

const analysis: SampleAnalysis = {
  format: "csv",
  schema: [
    { name: "email", type: "Utf8" },
    { name: "label", type: "Utf8" },
  ],
  numSamples: 3,
  labelColumn: "label",
  rows: [],
  stats: [],
  images: [],
  histogram: [],
  scanned: [{ name: "email", findings: [{ type: "email", count: 3, rate: 1 }], classification: "confidential" }],
  suggestedClassification: "confidential",
};

describe("a row's sample state", () => {
  it("pre-selects the suggested classification unless the owner chose one", () => {
    const fresh = withAnalysis(ANALYSING, defaultChoices("a.csv"), { kind: "samples", analysis });
    expect(fresh.choices.classification).toBe(DataClassification.CONFIDENTIAL);
    expect(fresh.choices.encrypt).toBe(true);
    expect(fresh.choices.samples).toEqual({ plan: [] });
    const touched = withAnalysis({ ...ANALYSING, classificationTouched: true }, defaultChoices("a.csv"), {
      kind: "samples",
      analysis,
    });
    expect(touched.choices.classification).toBe(DataClassification.PUBLIC);
  });

  it("blocks the upload until the flagged column has a decision, then builds the plan and order", () => {
    const { sample, choices } = withAnalysis(ANALYSING, defaultChoices("a.csv"), { kind: "samples", analysis });
    expect(sampleBlocker(sample)).toMatch(/“email”/);
    const decided = {
      ...sample,
      decisions: { email: { operator: "hash" as const } },
      sharding: { strategy: "class-balanced", shardCount: 3, column: "label", seed: 0 },
    };
    expect(sampleBlocker(decided)).toBeUndefined();
    expect(withSampleChoices(decided, choices).samples).toEqual({
      plan: [{ column: "email", operator: "hash" }],
      order: { strategy: "class-balanced", shards: 3, column: "label", seed: 0 },
    });
    expect(sampleBlocker({ ...decided, shardProblem: "more shards than samples" })).toMatch(/^Sharding/);
  });

  it("uploads opaque files as bytes and refuses invalid ones", () => {
    const opaque = withAnalysis(ANALYSING, defaultChoices("a.bin"), { kind: "opaque" });
    expect(opaque.choices.samples).toBeUndefined();
    expect(sampleBlocker(opaque.sample)).toBeUndefined();
    const bad = withAnalysis(ANALYSING, defaultChoices("a.csv"), { kind: "invalid", message: "a.csv line 3: bad" });
    expect(sampleBlocker(bad.sample)).toBe("a.csv line 3: bad");
    expect(sampleBlocker(ANALYSING)).toMatch(/Reading/);
  });
});
