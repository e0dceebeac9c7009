import * as arrow from "apache-arrow";
import { describe, expect, it } from "vitest";
import { datasetFailure } from "../../test-support/expect-failure.js";
import { collect, memoryFile, npyBytes } from "../../test-support/sample-files.js";
import { readSamples } from "./read-samples.js";
import { tensorInfo } from "./tensor-field.js";

describe("npy", () => {
  const x = Float32Array.from({ length: 5 * 2 * 3 }, (_, i) => i / 2);
  const y = BigInt64Array.from([0n, 1n, 2n, 1n, 0n]);

  it("keeps dtype and shape: (N, 2, 3) float32 is a tensor column, a labels .npy a label column", async () => {
    const s = await readSamples(
      [memoryFile("y.npy", npyBytes("<i8", [5], y)), memoryFile("x.npy", npyBytes("<f4", [5, 2, 3], x))],
      { batchRows: 2 },
    );
    expect(s.format).toBe("npy");
    expect(s.labelColumn).toBe("label");
    expect(tensorInfo(s.schema.fields[0]!)).toEqual({ shape: [2, 3], dtype: "float32" });
    expect(s.schema.fields[0]!.name).toBe("x");
    expect(String(s.schema.fields[1]!.type)).toBe("Int64");
    const batches = await collect(s.batches);
    expect(batches.map((b) => b.numRows)).toEqual([2, 2, 1]);
    const table = new arrow.Table(batches);
    expect(Array.from((table.getChild("x")!.get(3) as arrow.Vector).toArray() as Float32Array)).toEqual(
      Array.from(x.subarray(18, 24)),
    );
    expect(table.getChild("label")!.toArray()).toEqual(y);
  });

  it("a one-dimensional array is a scalar column", async () => {
    const s = await readSamples([memoryFile("v.npy", npyBytes("|u1", [3], Uint8Array.from([7, 8, 9])))]);
    expect(String(s.schema.fields[0]!.type)).toBe("Uint8");
    expect(new arrow.Table(await collect(s.batches)).getChild("v")!.toArray()).toEqual(Uint8Array.from([7, 8, 9]));
  });

  it("labels of a different count are CYXW_ERR_DS_COUNT_MISMATCH", async () => {
    const e = await datasetFailure(
      readSamples([
        memoryFile("x.npy", npyBytes("<f4", [5, 2, 3], x)),
        memoryFile("labels.npy", npyBytes("<i8", [4], y.subarray(0, 4))),
      ]),
    );
    expect(e.code).toBe("CYXW_ERR_DS_COUNT_MISMATCH");
    expect(e.message).toContain("5 samples");
    expect(e.message).toContain("4 labels");
  });

  it("a body shorter than the shape says is CYXW_ERR_DS_TRUNCATED; Fortran order is unsupported", async () => {
    const whole = npyBytes("<f4", [5, 2, 3], x);
    const cut = await datasetFailure(readSamples([memoryFile("x.npy", whole.subarray(0, whole.length - 4))]));
    expect(cut.code).toBe("CYXW_ERR_DS_TRUNCATED");
    const fortran = await datasetFailure(readSamples([memoryFile("x.npy", npyBytes("<f4", [5, 2, 3], x, true))]));
    expect(fortran.code).toBe("CYXW_ERR_DS_UNSUPPORTED");
  });
});
