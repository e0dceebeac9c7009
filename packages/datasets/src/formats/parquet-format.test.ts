import { parquetWriteBuffer } from "hyparquet-writer";
import { describe, expect, it } from "vitest";
import { datasetFailure } from "../../test-support/expect-failure.js";
import { collect, memoryFile, rowsOf } from "../../test-support/sample-files.js";
import { readSamples } from "./read-samples.js";

function parquetFile(rows: number, rowGroupSize?: number): Uint8Array {
  const ids = Array.from({ length: rows }, (_, i) => i);
  return new Uint8Array(
    parquetWriteBuffer({
      columnData: [
        { name: "id", data: ids, type: "INT32" },
        { name: "big", data: ids.map((i) => BigInt(i) * 1_000_000_000_000n), type: "INT64" },
        { name: "x", data: ids.map((i) => i / 4), type: "DOUBLE" },
        { name: "ok", data: ids.map((i) => i % 3 === 0), type: "BOOLEAN" },
        { name: "name", data: ids.map((i) => (i % 5 === 0 ? null : `n${i}`)), type: "STRING" },
        { name: "label", data: ids.map((i) => i % 2), type: "INT32" },
      ],
      ...(rowGroupSize !== undefined ? { rowGroupSize } : {}),
    }),
  );
}

describe("parquet", () => {
  it("reads a file written by hyparquet-writer back with its types and values (several row groups)", async () => {
    const s = await readSamples([memoryFile("t.parquet", parquetFile(2500, 1000))], { batchRows: 700 });
    expect(s.format).toBe("parquet");
    expect(s.labelColumn).toBe("label");
    expect(s.schema.fields.map((f) => [f.name, String(f.type)])).toEqual([
      ["id", "Int32"],
      ["big", "Int64"],
      ["x", "Float64"],
      ["ok", "Bool"],
      ["name", "Utf8"],
      ["label", "Int32"],
    ]);
    const rows = rowsOf(await collect(s.batches));
    expect(rows.length).toBe(2500);
    for (const i of [0, 1, 999, 1000, 2499]) {
      expect(rows[i]).toEqual({
        id: i,
        big: BigInt(i) * 1_000_000_000_000n,
        x: i / 4,
        ok: i % 3 === 0,
        name: i % 5 === 0 ? null : `n${i}`,
        label: i % 2,
      });
    }
  });

  it("a Parquet file cut short is CYXW_ERR_DS_TRUNCATED naming the file", async () => {
    const whole = parquetFile(100);
    const e = await datasetFailure(readSamples([memoryFile("cut.parquet", whole.subarray(0, whole.length - 20))]));
    expect(e.code).toBe("CYXW_ERR_DS_TRUNCATED");
    expect(e.place).toMatchObject({ file: "cut.parquet" });
  });
});
