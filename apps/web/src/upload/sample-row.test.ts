import { DataClassification } from "@cyxwiz/protocol/gen";
import { describe, expect, it } from "vitest";
import type { SampleAnalysis } from "./sample-analysis.js";
import { ANALYSING, sampleBlocker, withAnalysis, withSampleChoices } from "./sample-row.js";
import { defaultChoices } from "./upload-choices.js";
import { rowsReducer } from "./upload-rows.js";

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

describe("the rows reducer with samples", () => {
  it("drops a shard preview answered for an older spec and keeps the latest", () => {
    const file = new File(["x"], "a.csv");
    let rows = rowsReducer([], {
      type: "add",
      rows: [
        {
          id: "r",
          file,
          choices: defaultChoices("a.csv"),
          sample: ANALYSING,
          phase: "ready",
          fromSaved: false,
          keyExported: false,
        },
      ],
    });
    rows = rowsReducer(rows, {
      type: "worker",
      message: { kind: "analysed", id: "r", outcome: { kind: "samples", analysis } },
    });
    rows = rowsReducer(rows, {
      type: "sharding",
      id: "r",
      spec: { strategy: "sample", shardCount: 2, seed: 0 },
      seq: 1,
    });
    rows = rowsReducer(rows, {
      type: "sharding",
      id: "r",
      spec: { strategy: "sample", shardCount: 3, seed: 0 },
      seq: 2,
    });
    const shards = (n: number) => Array.from({ length: n }, (_, shard) => ({ shard, samples: 1 }));
    rows = rowsReducer(rows, {
      type: "worker",
      message: { kind: "shard-preview", id: "r", seq: 1, result: { shards: shards(2) } },
    });
    expect(rows[0]!.sample!.shards).toBeUndefined();
    rows = rowsReducer(rows, {
      type: "worker",
      message: { kind: "shard-preview", id: "r", seq: 2, result: { shards: shards(3) } },
    });
    expect(rows[0]!.sample!.shards).toHaveLength(3);
    expect(rows[0]!.choices.samples?.order).toEqual({ strategy: "sample", shards: 3, seed: 0 });
    rows = rowsReducer(rows, { type: "decision", id: "r", column: "email", decision: { operator: "keep" } });
    expect(sampleBlocker(rows[0]!.sample)).toBeUndefined();
    expect(rows[0]!.choices.samples?.plan).toEqual([]);
  });
});
