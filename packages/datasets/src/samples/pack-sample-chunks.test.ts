import * as arrow from "apache-arrow";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { datasetFailure } from "../../test-support/expect-failure.js";
import { collect, generatedCsv, memoryFile, npyBytes, rowsOf } from "../../test-support/sample-files.js";
import { readSamples } from "../formats/read-samples.js";
import { ScalarBatchBuilder } from "../formats/scalar-columns.js";
import { tensorInfo } from "../formats/tensor-field.js";
import { decodeSampleChunk } from "./decode-sample-chunk.js";
import { packSampleChunks, type SampleChunk } from "./pack-sample-chunks.js";

async function packCsv(csv: string, chunkSize: number, batchRows = 4096) {
  const s = await readSamples([memoryFile("g.csv", csv)], { batchRows });
  const stream = packSampleChunks(s.schema, s.batches, {
    chunkSize,
    ...(s.labelColumn !== undefined ? { labelColumn: s.labelColumn } : {}),
  });
  const chunks = await collect(stream);
  return { chunks, summary: stream.summary(), schema: s.schema };
}

function checkChunks(chunks: readonly SampleChunk[], chunkSize: number, total: number): void {
  let next = 0;
  for (const c of chunks) {
    expect(c.bytes.length).toBeLessThanOrEqual(chunkSize);
    expect(c.firstSample).toBe(next);
    const table = decodeSampleChunk(c.bytes);
    expect(table.numRows).toBe(c.sampleCount);
    expect(table.batches.length).toBe(1);
    next += c.sampleCount;
  }
  expect(next).toBe(total);
}

describe("packSampleChunks", () => {
  it("chunks of whole samples, each ≤ chunkSize and one Arrow IPC stream; decoding them gives back every row in order", async () => {
    const csv = generatedCsv(3000);
    const s = await readSamples([memoryFile("g.csv", csv)]);
    const expected = rowsOf(await collect(s.batches));
    const chunkSize = 16 * 1024;
    const { chunks, summary, schema } = await packCsv(csv, chunkSize);
    expect(chunks.length).toBeGreaterThan(4);
    checkChunks(chunks, chunkSize, 3000);
    // About chunkSize: every chunk but the last is more than 90% full.
    for (const c of chunks.slice(0, -1)) expect(c.bytes.length).toBeGreaterThan(0.9 * chunkSize);
    const decoded = chunks.flatMap((c) => rowsOf(decodeSampleChunk(c.bytes).batches));
    expect(decoded).toEqual(expected);
    expect(decodeSampleChunk(chunks[2]!.bytes).schema.fields.map((f) => [f.name, String(f.type)])).toEqual(
      schema.fields.map((f) => [f.name, String(f.type)]),
    );
    expect(summary.numSamples).toBe(3000);
    expect(summary.chunkSampleCounts).toEqual(chunks.map((c) => c.sampleCount));
    expect(summary.labelColumn).toBe("label");
    expect(summary.columns.map((c) => [c.name, c.arrowType, c.role])).toEqual([
      ["id", "Int64", "feature"],
      ["score", "Float64", "feature"],
      ["flag", "Bool", "feature"],
      ["note", "Utf8", "feature"],
      ["label", "Utf8", "label"],
    ]);
    const counts = new Map<string, number>();
    for (const r of expected) counts.set(r.label as string, (counts.get(r.label as string) ?? 0) + 1);
    expect(summary.labelHistogram).toEqual([...counts].sort().map(([label, count]) => ({ label, count })));
  });

  it("the bytes depend on the rows, not on how the reader batched them", async () => {
    const csv = generatedCsv(1200, 7);
    const a = await packCsv(csv, 8000, 4096);
    const b = await packCsv(csv, 8000, 37);
    expect(b.chunks.map((c) => [c.firstSample, c.sampleCount])).toEqual(
      a.chunks.map((c) => [c.firstSample, c.sampleCount]),
    );
    for (const [i, c] of b.chunks.entries()) expect(c.bytes).toEqual(a.chunks[i]!.bytes);
  });

  it("tensor columns keep their extension metadata, dtype and values through a chunk", async () => {
    const x = Float32Array.from({ length: 50 * 3 * 4 }, (_, i) => Math.sin(i));
    const s = await readSamples([memoryFile("x.npy", npyBytes("<f4", [50, 3, 4], x))], { batchRows: 9 });
    const chunks = await collect(packSampleChunks(s.schema, s.batches, { chunkSize: 1000 }));
    checkChunks(chunks, 1000, 50);
    const table = new arrow.Table(chunks.flatMap((c) => decodeSampleChunk(c.bytes).batches));
    expect(tensorInfo(table.schema.fields[0]!)).toEqual({ shape: [3, 4], dtype: "float32" });
    expect(table.getChild("x")!.data.flatMap((d) => Array.from(d.children[0]!.values as Float32Array))).toEqual(
      Array.from(x),
    );
  });

  it("a sample larger than the chunk size is CYXW_ERR_DS_SAMPLE_TOO_LARGE naming the sample", async () => {
    const s = await readSamples([memoryFile("g.csv", generatedCsv(10))]);
    const e = await datasetFailure(
      Promise.resolve({ batches: packSampleChunks(s.schema, s.batches, { chunkSize: 300 }) }),
    );
    expect(e.code).toBe("CYXW_ERR_DS_SAMPLE_TOO_LARGE");
    expect(e.message).toContain("sample 0");
    expect(e.message).toContain("chunk size of 300");
  });

  it("a chunk size that is not a positive integer, or a label column the schema lacks, is CYXW_ERR_DS_BAD_OPTION", async () => {
    const s = await readSamples([memoryFile("g.csv", generatedCsv(3))]);
    for (const options of [{ chunkSize: 0 }, { chunkSize: 1.5 }, { chunkSize: 4096, labelColumn: "nope" }]) {
      expect(() => packSampleChunks(s.schema, s.batches, options)).toThrow(/CYXW_ERR_DS_BAD_OPTION/);
    }
  });

  it("property: any table of ints, floats, bools and strings with nulls round-trips, chunks ≤ chunkSize", async () => {
    const schema = new arrow.Schema([
      new arrow.Field("i", new arrow.Int64(), true),
      new arrow.Field("f", new arrow.Float64(), true),
      new arrow.Field("b", new arrow.Bool(), true),
      new arrow.Field("s", new arrow.Utf8(), true),
    ]);
    const row = fc.tuple(
      fc.option(fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n })),
      fc.option(fc.double({ noNaN: true })),
      fc.option(fc.boolean()),
      fc.option(fc.string({ maxLength: 40 })),
    );
    await fc.assert(
      fc.asyncProperty(
        fc.array(row, { minLength: 1, maxLength: 200 }),
        fc.integer({ min: 1, max: 50 }),
        fc.integer({ min: 900, max: 6000 }),
        async (rows, batchRows, chunkSize) => {
          const batches: arrow.RecordBatch[] = [];
          const builder = new ScalarBatchBuilder(schema);
          for (const r of rows) {
            builder.append(r);
            if (builder.length === batchRows) batches.push(builder.flush());
          }
          if (builder.length > 0) batches.push(builder.flush());
          const chunks = await collect(
            packSampleChunks(
              schema,
              (async function* () {
                yield* batches;
              })(),
              { chunkSize },
            ),
          );
          checkChunks(chunks, chunkSize, rows.length);
          const back = chunks.flatMap((c) => rowsOf(decodeSampleChunk(c.bytes).batches));
          expect(back).toEqual(rowsOf(batches));
        },
      ),
      { numRuns: 40, seed: 20261202 },
    );
  });
});
