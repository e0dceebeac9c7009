import { describe, expect, it } from "vitest";
import { shardSeries } from "./shard-series.js";

describe("shardSeries", () => {
  it("one samples series when no shard gives classes", () => {
    expect(
      shardSeries([
        { shard: 0, samples: 10 },
        { shard: 1, samples: 7 },
      ]),
    ).toEqual({
      rows: [
        { shard: "Shard 0", samples: 10 },
        { shard: "Shard 1", samples: 7 },
      ],
      keys: ["samples"],
      stacked: false,
    });
  });

  it("one series per class, in first-seen order, 0 where a shard lacks a class; a label cannot clash", () => {
    const r = shardSeries([
      {
        shard: 0,
        samples: 5,
        classes: [
          { label: "cat", count: 3 },
          { label: "shard", count: 2 },
        ],
      },
      { shard: 1, samples: 4, classes: [{ label: "dog", count: 4 }] },
      { shard: 2, samples: 0 },
    ]);
    expect(r.stacked).toBe(true);
    expect(r.keys).toEqual(["class:cat", "class:shard", "class:dog"]);
    expect(r.rows).toEqual([
      { shard: "Shard 0", "class:cat": 3, "class:shard": 2, "class:dog": 0 },
      { shard: "Shard 1", "class:cat": 0, "class:shard": 0, "class:dog": 4 },
      { shard: "Shard 2", "class:cat": 0, "class:shard": 0, "class:dog": 0 },
    ]);
  });
});
