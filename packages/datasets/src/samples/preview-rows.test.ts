import * as arrow from "apache-arrow";
import { describe, expect, it } from "vitest";
import { collect, idxBytes, memoryFile } from "../../test-support/sample-files.js";
import { readSamples } from "../formats/read-samples.js";
import { previewRows } from "./preview-rows.js";

describe("previewRows", () => {
  it("display strings: values as text, nulls as null, tensors by dtype and shape", async () => {
    const images = idxBytes([3, 28, 28], new Uint8Array(3 * 784));
    const labels = idxBytes([3], Uint8Array.from([4, 2, 7]));
    const s = await readSamples([memoryFile("images-idx3-ubyte", images), memoryFile("labels-idx1-ubyte", labels)]);
    const table = new arrow.Table(await collect(s.batches));
    expect(previewRows(table, 2)).toEqual({
      columns: ["image", "label"],
      rows: [
        ["uint8[28×28]", "4"],
        ["uint8[28×28]", "2"],
      ],
    });
    const csv = await readSamples([memoryFile("d.csv", "a,b,c\n1,,true\n2.5,x,\n")]);
    expect(previewRows(new arrow.Table(await collect(csv.batches)), 10).rows).toEqual([
      ["1", "null", "true"],
      ["2.5", "x", "null"],
    ]);
  });
});
