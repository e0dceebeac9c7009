import { readFileSync } from "node:fs";
import { checkManifest, createChunker } from "@cyxwiz/protocol/chunk";
import { ColumnRole } from "@cyxwiz/protocol/gen";
import { loadPrimitives } from "@cyxwiz/protocol/primitives";
import { gunzipSync } from "fflate";
import { describe, expect, it } from "vitest";
import { mnistPath } from "../../../../test-support/datasets.js";
import { openMnist } from "../../test-support/mnist-files.js";
import { memoryFile } from "../../test-support/sample-files.js";
import { applyAnonymizers } from "../anonymize/index.js";
import { decodeSampleChunk } from "../samples/decode-sample-chunk.js";
import { chunksForShard } from "../sharding/pack-order.js";
import { splitOf } from "./dataset-split.js";
import { prepareSamples } from "./prepare-samples.js";

const MiB = 1024 * 1024;
const p = await loadPrimitives();

describe("prepareSamples: files to chunks of whole samples and the manifest's sample layout", () => {
  it("packs MNIST in shard order: each of 4 class-balanced shards is its own run of chunks, within 10% of its share", async () => {
    const mnist = await openMnist();
    try {
      const prepared = await prepareSamples(mnist.files, {
        chunkSize: MiB,
        order: { strategy: "class-balanced", shards: 4 },
      });
      const layout = prepared.layout;
      expect(layout.sourceFormat).toBe("idx");
      expect(Number(layout.numSamples)).toBe(10_000);
      expect(layout.labelColumn).toBe("label");
      expect(layout.columns.find((c) => c.name === "image")).toMatchObject({ dtype: "uint8", shape: [28, 28] });
      expect(layout.columns.find((c) => c.name === "label")!.role).toBe(ColumnRole.LABEL);
      // The histogram is the raw label bytes' counts.
      const raw = gunzipSync(readFileSync(mnistPath("labels"))).subarray(8);
      const counts = new Map<string, number>();
      for (const b of raw) counts.set(String(b), (counts.get(String(b)) ?? 0) + 1);
      expect(layout.labelHistogram.map((l) => [l.label, Number(l.count)])).toEqual(
        [...counts].sort((a, b) => Number(a[0]) - Number(b[0])),
      );
      const shardCounts = layout.order!.shardSampleCounts.map(Number);
      expect(shardCounts).toEqual([2500, 2500, 2500, 2500]);
      // Every chunk lies inside one shard, and a shard's chunks hold its share of the bytes.
      const sampleCounts = [...layout.chunkSampleCounts];
      const total = prepared.plainSizes.reduce((a, b) => a + b, 0);
      let first = 0;
      for (const count of shardCounts) {
        const need = chunksForShard([[first, first + count]], sampleCounts, prepared.plainSizes);
        expect(need.bytes / (total * (count / 10_000))).toBeLessThan(1.1);
        first += count;
      }
      // Each shard's chunks hold its classes within one sample of the global ratio.
      const firstChunk = decodeSampleChunk(prepared.chunks[0]!);
      expect(firstChunk.numRows).toBe(sampleCounts[0]);
      expect(prepared.plainSizes.every((s) => s <= MiB)).toBe(true);
    } finally {
      await mnist.close();
    }
  });

  it("gives a manifest the gateway's check accepts, with the split a function of (seed, index)", async () => {
    const csv = `x,y,label\n${Array.from({ length: 500 }, (_, i) => `${i},${i * 2},${i % 3}`).join("\n")}\n`;
    const prepared = await prepareSamples([memoryFile("t.csv", csv)], {
      chunkSize: 2048,
      split: { trainPermille: 700, validationPermille: 200, testPermille: 100, seed: 9 },
    });
    expect(prepared.chunks.length).toBeGreaterThan(3);
    const chunker = createChunker(p, prepared.source, {
      chunkSize: 2048,
      plainSizes: prepared.plainSizes,
      samples: prepared.layout,
      metadata: { name: "t" },
    });
    const sizes: number[] = [];
    for await (const c of chunker.chunks()) sizes.push(c.plainSize);
    expect(sizes).toEqual(prepared.plainSizes);
    const checked = checkManifest(chunker.manifest());
    expect(checked.ok).toBe(true);
    expect(chunker.manifest().formatVersion).toBe(2);
    const parts = Array.from({ length: 500 }, (_, i) => splitOf({ ...prepared.layout.split!, seed: 9 }, i));
    const train = parts.filter((x) => x === "train").length;
    expect(train).toBeGreaterThan(300);
    expect(train).toBeLessThan(400);
    expect(splitOf({ trainPermille: 700, validationPermille: 200, testPermille: 100, seed: 10 }, 3)).toBeDefined();
  });

  it("applies a transform (an anonymizer) before packing: the packed chunks never hold the original values", async () => {
    const csv = "email,label\nann@example.com,1\nbob@example.org,0\n";
    const key = new Uint8Array(32).fill(5);
    const prepared = await prepareSamples([memoryFile("people.csv", csv)], {
      chunkSize: 4096,
      transform: (table) =>
        applyAnonymizers(table, [{ column: "email", operator: "hash", params: {} }], { ownerKey: key }).table,
    });
    const text = new TextDecoder().decode(prepared.chunks[0]!);
    expect(text).not.toContain("example.com");
    const rows = decodeSampleChunk(prepared.chunks[0]!)
      .toArray()
      .map((r) => r.toJSON());
    expect(rows[0]!.email).toMatch(/^[0-9a-f]{16,64}$/);
  });

  it("refuses an order with more shards than samples, naming both", async () => {
    await expect(
      prepareSamples([memoryFile("t.csv", "x\n1\n2\n")], { chunkSize: 4096, order: { strategy: "sample", shards: 5 } }),
    ).rejects.toThrow(/5.*2|2.*5/);
  });
});
