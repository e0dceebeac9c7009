import { tensorField } from "@cyxwiz/datasets/formats";
import * as arrow from "apache-arrow";
import { describe, expect, it } from "vitest";
import { type ChunkToDecode, decodeSamples } from "./decode-samples.js";
import { labelIds } from "./sample-batches.js";

interface Row {
  readonly pixels: readonly number[];
  readonly x: number;
  readonly label: string;
}

/** A chunk as an upload packs it: a uint8 tensor column "pixels", a float32 column "x", a string label. */
function chunkOf(rows: readonly Row[]): Uint8Array {
  const width = rows[0]!.pixels.length;
  const pixels = tensorField("pixels", "uint8", [width]);
  const schema = new arrow.Schema([
    pixels,
    new arrow.Field("x", new arrow.Float32(), false),
    new arrow.Field("label", new arrow.Utf8(), false),
  ]);
  const pixelData = arrow.makeData({
    type: pixels.type as arrow.FixedSizeList,
    length: rows.length,
    nullCount: 0,
    child: arrow.makeData({
      type: new arrow.Uint8(),
      length: rows.length * width,
      nullCount: 0,
      data: Uint8Array.from(rows.flatMap((r) => r.pixels)),
    }),
  });
  const x = arrow.vectorFromArray(Float32Array.from(rows.map((r) => r.x))).data[0]!;
  const label = arrow.vectorFromArray(
    rows.map((r) => r.label),
    new arrow.Utf8(),
  ).data[0]!;
  const batch = new arrow.RecordBatch(
    schema,
    arrow.makeData({
      type: new arrow.Struct(schema.fields),
      length: rows.length,
      nullCount: 0,
      children: [pixelData, x, label],
    }),
  );
  return arrow.tableToIPC(new arrow.Table([batch]), "stream");
}

const columns = { featureColumns: ["pixels", "x"], labelColumn: "label" };
const ids = labelIds(["cat", "dog"]);

const first = chunkOf([
  { pixels: [0, 255], x: 10, label: "dog" },
  { pixels: [255, 0], x: 11, label: "cat" },
]);
const second = chunkOf([
  { pixels: [255, 255], x: 12, label: "cat" },
  { pixels: [0, 0], x: 13, label: "dog" },
  { pixels: [0, 255], x: 14, label: "cat" },
]);

async function* readLazily(chunks: readonly ChunkToDecode[]): AsyncGenerator<ChunkToDecode> {
  for (const c of chunks) {
    await Promise.resolve();
    yield c;
  }
}

describe("decodeSamples", () => {
  it("decodes every sample of the chunks into one row-major block, in order, tensor elements scaled to [0, 1]", async () => {
    const s = await decodeSamples([first, second], columns, ids);
    expect(s.count).toBe(5);
    expect(s.featureSize).toBe(3);
    expect([...s.features]).toEqual([0, 1, 10, 1, 0, 11, 1, 1, 12, 0, 0, 13, 0, 1, 14]);
    expect([...s.labels]).toEqual([1, 0, 0, 1, 0]);
  });

  it("keeps only the rows asked for, in the order given, from chunks read as they are asked for", async () => {
    const s = await decodeSamples(
      readLazily([
        { bytes: first, rows: [1] },
        { bytes: second, rows: [2, 0] },
      ]),
      columns,
      ids,
    );
    expect(s.count).toBe(3);
    expect([...s.features]).toEqual([1, 0, 11, 0, 1, 14, 1, 1, 12]);
    expect([...s.labels]).toEqual([0, 0, 0]);
    const mixed = await decodeSamples([{ bytes: first, rows: [] }, second], columns, ids);
    expect([...mixed.labels]).toEqual([0, 1, 0]);
  });

  it("gives nothing for no chunks", async () => {
    const s = await decodeSamples([], columns, ids);
    expect(s).toEqual({ features: new Float32Array(0), labels: new Int32Array(0), featureSize: 0, count: 0 });
  });

  it("rejects a row outside its chunk, chunks of different feature widths, and a label outside the map", async () => {
    await expect(decodeSamples([first, { bytes: second, rows: [0, 3] }], columns, ids)).rejects.toThrow(
      /CYXW_ERR_TR_BAD_OPTION: row 3 is not in chunk 1, which has 3 rows/,
    );
    const wider = chunkOf([{ pixels: [0, 0, 0], x: 1, label: "cat" }]);
    await expect(decodeSamples([first, wider], columns, ids)).rejects.toThrow(
      /CYXW_ERR_TR_BAD_COLUMN: chunks disagree on the feature width \(3 then 4 in chunk 1\)/,
    );
    await expect(decodeSamples([first], columns, labelIds(["cat"]))).rejects.toThrow(
      /CYXW_ERR_TR_BAD_COLUMN: label "dog" of row 0/,
    );
  });
});
