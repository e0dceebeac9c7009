import * as arrow from "apache-arrow";
import { describe, expect, it } from "vitest";
import { labelIds, prefetch, sampleBatches } from "./sample-batches.js";

const ipc = (t: arrow.Table) => arrow.tableToIPC(t, "stream");

function chunkOf(rows: { y: number; label: string }[]): Uint8Array {
  return ipc(
    arrow.tableFromArrays({
      x: Float32Array.from(rows.map((r) => r.y)),
      label: rows.map((r) => r.label),
    }),
  );
}

describe("sampleBatches: batches from chunks of samples", () => {
  it("maps labels to class ids in histogram order, batches across chunk boundaries, and keeps the last short batch", async () => {
    expect([...labelIds([{ label: "cat" }, { label: "dog" }])]).toEqual([
      ["cat", 0],
      ["dog", 1],
    ]);
    const chunks = [
      chunkOf([
        { y: 1, label: "dog" },
        { y: 2, label: "cat" },
        { y: 3, label: "dog" },
      ]),
      chunkOf([
        { y: 4, label: "cat" },
        { y: 5, label: "cat" },
      ]),
    ];
    const got = [];
    for await (const b of sampleBatches(chunks, {
      featureColumns: ["x"],
      labelColumn: "label",
      labels: ["cat", "dog"],
      batchSize: 2,
    }))
      got.push({ f: [...b.features], l: [...b.labels] });
    expect(got).toEqual([
      { f: [1, 2], l: [1, 0] },
      { f: [3, 4], l: [1, 0] },
      { f: [5], l: [0] },
    ]);
  });

  it("shuffles chunks and the rows within each chunk by (seed, epoch): every sample once, features kept with labels, another epoch another order", async () => {
    const rows = Array.from({ length: 40 }, (_, i) => ({ y: i, label: i % 3 === 0 ? "cat" : "dog" }));
    const chunks = [chunkOf(rows.slice(0, 16)), chunkOf(rows.slice(16, 32)), chunkOf(rows.slice(32))];
    const order = async (epoch: number) => {
      const seen: [number, number][] = [];
      for await (const b of sampleBatches(chunks, {
        featureColumns: ["x"],
        labelColumn: "label",
        labels: ["cat", "dog"],
        batchSize: 7,
        shuffle: { seed: 5, epoch },
      }))
        for (const [k, f] of b.features.entries()) seen.push([f, b.labels[k]!]);
      return seen;
    };
    const first = await order(0);
    expect(first.map(([f]) => f).sort((a, b) => a - b)).toEqual(rows.map((r) => r.y));
    for (const [f, label] of first) expect(label).toBe(f % 3 === 0 ? 0 : 1);
    expect(first.map(([f]) => f)).not.toEqual(rows.map((r) => r.y));
    expect(await order(0)).toEqual(first);
    expect(await order(1)).not.toEqual(first);
  });

  it("rejects a column it cannot use and a label outside the map, naming them", async () => {
    const chunk = chunkOf([{ y: 1, label: "bird" }]);
    const run = async (o: { featureColumns: string[]; labelColumn: string }) => {
      for await (const _ of sampleBatches([chunk], { ...o, labels: ["cat"], batchSize: 4 })) void _;
    };
    await expect(run({ featureColumns: ["nope"], labelColumn: "label" })).rejects.toThrow(
      /CYXW_ERR_TR_BAD_COLUMN: feature column "nope"/,
    );
    await expect(run({ featureColumns: ["label"], labelColumn: "label" })).rejects.toThrow(
      /column "label" is Dictionary<Int32, Utf8>: a feature must be a tensor or numeric column/,
    );
    await expect(run({ featureColumns: ["x"], labelColumn: "label" })).rejects.toThrow(/label "bird" of row 0/);
    expect(() =>
      sampleBatches([chunk], { featureColumns: ["x"], labelColumn: "label", labels: [], batchSize: 0 }),
    ).toThrow(/batchSize/);
  });

  it("prefetch holds at most the bound of items not yet taken", async () => {
    let produced = 0;
    async function* source() {
      for (let i = 0; i < 20; i++) {
        produced++;
        yield i;
      }
    }
    const seen: number[] = [];
    for await (const v of prefetch(source(), 3)) {
      await new Promise((r) => setTimeout(r, 1));
      expect(produced - seen.length).toBeLessThanOrEqual(4);
      seen.push(v);
    }
    expect(seen).toEqual([...Array(20).keys()]);
  });
});
