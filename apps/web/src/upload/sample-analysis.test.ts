import { tableFromArrays } from "apache-arrow";
import { describe, expect, it } from "vitest";
import { analyseTable, PREVIEW_ROWS } from "./sample-analysis.js";

describe("the analysis message", () => {
  const n = 30;
  const table = tableFromArrays({
    id: Int32Array.from({ length: n }, (_, i) => i),
    email: Array.from({ length: n }, (_, i) => `person${i}@example.com`),
    label: Array.from({ length: n }, (_, i) => ["cat", "dog", "bird"][i % 3]!),
  });

  it("carries schema, first rows, stats, histogram and the scan with each flagged column's classification", () => {
    const a = analyseTable(table, "csv", "label");
    expect(a.format).toBe("csv");
    expect(a.numSamples).toBe(n);
    expect(a.schema.map((c) => c.name)).toEqual(["id", "email", "label"]);
    expect(a.rows).toHaveLength(PREVIEW_ROWS);
    expect(a.rows[1]).toEqual(["1", "person1@example.com", "dog"]);
    expect(a.stats.find((s) => s.name === "id")).toMatchObject({ min: 0, max: n - 1, nulls: 0 });
    expect(Object.fromEntries(a.histogram.map((c) => [c.label, c.count]))).toEqual({ cat: 10, dog: 10, bird: 10 });
    expect(a.images).toEqual([]);
    expect(a.scanned).toEqual([
      { name: "email", findings: [{ type: "email", count: n, rate: 1 }], classification: "confidential" },
    ]);
    expect(a.suggestedClassification).toBe("confidential");
    // Plain data only: it crosses postMessage.
    expect(structuredClone(a)).toEqual(a);
  });

  it("has no histogram without a label column, and nothing flagged in clean data", () => {
    const a = analyseTable(tableFromArrays({ x: Float64Array.from([1, 2, 3]) }), "csv", undefined);
    expect(a.histogram).toEqual([]);
    expect(a.scanned).toEqual([]);
    expect(a.suggestedClassification).toBe("internal");
  });
});
