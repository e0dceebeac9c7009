import * as arrow from "apache-arrow";
import { describe, expect, it } from "vitest";
import { collect, idxBytes, memoryFile } from "../../test-support/sample-files.js";
import { readSamples } from "../formats/read-samples.js";
import { columnStats } from "./column-stats.js";

describe("columnStats", () => {
  it("counts, nulls, min/max/mean of numbers and exact distinct counts", async () => {
    const s = await readSamples([memoryFile("d.csv", "n,f,t\n1,0.5,a\n3,,b\n,2.5,a\n5,1,\n")]);
    const stats = columnStats(new arrow.Table(await collect(s.batches)));
    expect(stats).toEqual([
      {
        name: "n",
        type: "Int64",
        count: 3,
        nulls: 1,
        min: 1,
        max: 5,
        mean: 3,
        distinct: 3,
        distinctIsLowerBound: false,
      },
      {
        name: "f",
        type: "Float64",
        count: 3,
        nulls: 1,
        min: 0.5,
        max: 2.5,
        mean: 4 / 3,
        distinct: 3,
        distinctIsLowerBound: false,
      },
      { name: "t", type: "Utf8", count: 3, nulls: 1, distinct: 2, distinctIsLowerBound: false },
    ]);
  });

  it("past the cap, distinct is a lower bound", async () => {
    const lines = ["v", ...Array.from({ length: 50 }, (_, i) => String(i))];
    const s = await readSamples([memoryFile("d.csv", lines.join("\n"))]);
    const [v] = columnStats(new arrow.Table(await collect(s.batches)), 10);
    expect(v).toMatchObject({ count: 50, distinct: 10, distinctIsLowerBound: true, min: 0, max: 49 });
  });

  it("tensor columns: statistics over every element, distinct over samples", async () => {
    const pixels = Uint8Array.from([0, 10, 20, 30, 0, 10, 20, 30, 255, 0, 0, 0]);
    const s = await readSamples([memoryFile("images-idx3-ubyte", idxBytes([3, 2, 2], pixels))]);
    const [image] = columnStats(new arrow.Table(await collect(s.batches)));
    expect(image).toMatchObject({ name: "image", count: 3, nulls: 0, min: 0, max: 255, distinct: 2 });
    expect(image!.mean).toBeCloseTo(pixels.reduce((a, b) => a + b, 0) / 12);
  });
});
