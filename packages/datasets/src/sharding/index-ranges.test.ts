import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { countInRanges, expandRanges, RangeBuilder, rangesFromSorted } from "./index-ranges.js";

describe("index ranges", () => {
  it("merges adjacent indices into half-open runs", () => {
    expect(rangesFromSorted([0, 1, 2, 5, 7, 8])).toEqual([
      [0, 3],
      [5, 6],
      [7, 9],
    ]);
    const b = new RangeBuilder();
    b.pushRange(0, 4);
    b.pushRange(4, 6);
    b.push(9);
    expect(b.ranges()).toEqual([
      [0, 6],
      [9, 10],
    ]);
    expect(b.count).toBe(7);
  });

  it("round-trips any ascending set of indices", () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.nat(500)), (raw) => {
        const sorted = [...raw].sort((a, b) => a - b);
        const ranges = rangesFromSorted(sorted);
        expect([...expandRanges(ranges)]).toEqual(sorted);
        expect(countInRanges(ranges)).toBe(sorted.length);
        for (let r = 1; r < ranges.length; r++) expect(ranges[r]![0]).toBeGreaterThan(ranges[r - 1]![1]);
      }),
    );
  });
});
