import * as arrow from "apache-arrow";
import { gzipSync } from "fflate";
import { describe, expect, it } from "vitest";
import { datasetFailure } from "../../test-support/expect-failure.js";
import { collect, idxBytes, memoryFile } from "../../test-support/sample-files.js";
import { readSamples } from "./read-samples.js";
import { tensorInfo } from "./tensor-field.js";

const pixels = Uint8Array.from({ length: 6 * 4 * 3 }, (_, i) => (i * 7) % 256);
const labels = Uint8Array.from([3, 1, 4, 1, 5, 9]);

describe("idx", () => {
  it("images and labels, gzipped or not, in either order: an image tensor column and a label column", async () => {
    for (const gz of [false, true]) {
      const wrap = (b: Uint8Array) => (gz ? gzipSync(b) : b);
      const s = await readSamples(
        [
          memoryFile("labels-idx1-ubyte", wrap(idxBytes([6], labels))),
          memoryFile("images-idx3-ubyte", wrap(idxBytes([6, 4, 3], pixels))),
        ],
        { batchRows: 4 },
      );
      expect(s.format).toBe("idx");
      expect(s.labelColumn).toBe("label");
      expect(tensorInfo(s.schema.fields[0]!)).toEqual({ shape: [4, 3], dtype: "uint8" });
      const table = new arrow.Table(await collect(s.batches));
      expect(table.numRows).toBe(6);
      expect((table.getChild("image")!.get(5) as arrow.Vector).toArray()).toEqual(pixels.subarray(60, 72));
      expect(table.getChild("label")!.toArray()).toEqual(labels);
    }
  });

  it("a header that claims more images than the file holds is CYXW_ERR_DS_BAD_HEADER with both sizes", async () => {
    const lying = idxBytes([7, 4, 3], pixels);
    const e = await datasetFailure(
      readSamples([memoryFile("images-idx3-ubyte", lying), memoryFile("labels-idx1-ubyte", idxBytes([6], labels))]),
    );
    expect(e.code).toBe("CYXW_ERR_DS_BAD_HEADER");
    expect(e.place).toEqual({ file: "images-idx3-ubyte", byteOffset: 4 });
    expect(e.message).toContain("84 bytes");
    expect(e.message).toContain("72 data bytes");
  });

  it("images and labels of different counts are CYXW_ERR_DS_COUNT_MISMATCH", async () => {
    const e = await datasetFailure(
      readSamples([
        memoryFile("images-idx3-ubyte", idxBytes([6, 4, 3], pixels)),
        memoryFile("labels-idx1-ubyte", idxBytes([5], labels.subarray(0, 5))),
      ]),
    );
    expect(e.code).toBe("CYXW_ERR_DS_COUNT_MISMATCH");
    expect(e.message).toContain("6 images");
    expect(e.message).toContain("5 labels");
  });
});
