import { describe, expect, it } from "vitest";
import { inputFromColumns } from "./columns-input.js";
import { createShards } from "./create-shards.js";
import { chunkLayout, chunksForShard, packOrder } from "./pack-order.js";
import { isShardingError } from "./sharding-error.js";
import type { ShardSpec } from "./sharding-types.js";

const MiB = 1024 * 1024;

describe("packOrder and chunk layout (minimal transfer)", () => {
  // MNIST-like: 60,000 samples of 784 bytes, ~4 MiB chunks, 7 shards.
  const n = 60_000;
  const sampleBytes = 784;
  const input = inputFromColumns({
    label: Array.from({ length: n }, (_, i) => (i * 2_654_435_761) % 10),
    id: Array.from({ length: n }, (_, i) => `img-${i}`),
  });

  for (const spec of [
    { strategy: "sample", shards: 7 },
    { strategy: "class-balanced", shards: 7, column: "label" },
    { strategy: "hash", shards: 7, column: "id", seed: 42 },
  ] as const satisfies readonly ShardSpec[]) {
    it(`${spec.strategy}: each of 7 shards needs chunks within 10% of its share when packed in packOrder`, () => {
      const { order, boundaries } = packOrder(input, spec);
      expect(new Set(order).size).toBe(n);
      const counts = chunkLayout(sampleBytes, boundaries, 4 * MiB);
      const bytes = counts.map((c) => c * sampleBytes);
      expect(counts.reduce((a, b) => a + b, 0)).toBe(n);
      expect(Math.max(...bytes)).toBeLessThanOrEqual(4 * MiB);
      const packed = createShards(
        inputFromColumns({
          label: Array.from(order, (i) => (i * 2_654_435_761) % 10),
          id: Array.from(order, (i) => `img-${i}`),
        }),
        spec,
      );
      const overheads: string[] = [];
      for (const shard of packed.shards) {
        const share = shard.count * sampleBytes; // its fraction of the dataset's bytes
        const need = chunksForShard(shard.indices, counts, bytes);
        expect(need.bytes / share).toBeLessThanOrEqual(1.1);
        expect(need.bytes).toBeGreaterThanOrEqual(share);
        overheads.push(
          `${need.chunks.length} chunks ${(need.bytes / MiB).toFixed(2)} MiB / share ${(share / MiB).toFixed(2)} MiB`,
        );
      }
      console.log(`pack ${spec.strategy}: ${counts.length} chunks; per shard: ${overheads.join("; ")}`);
    });
  }

  it("without pack order, a hash shard needs nearly every chunk (why the order matters)", () => {
    const spec = { strategy: "hash", shards: 7, column: "id", seed: 42 } as const;
    const sharding = createShards(input, spec);
    const counts = chunkLayout(sampleBytes, [0, n], 4 * MiB);
    const bytes = counts.map((c) => c * sampleBytes);
    const need = chunksForShard(sharding.shards[0]!.indices, counts, bytes);
    console.log(
      `unpacked hash shard 0: ${need.chunks.length}/${counts.length} chunks, ${(need.bytes / MiB).toFixed(1)} MiB for a ${((sharding.shards[0]!.count * sampleBytes) / MiB).toFixed(1)} MiB share`,
    );
    expect(need.chunks.length).toBe(counts.length);
    // Packed in order but cut by size alone (no chunk ends at shard boundaries): a shard pays for
    // the partial chunks at both of its ends.
    const sample = packOrder(input, { strategy: "sample", shards: 7 });
    const sized = createShards(input, { strategy: "sample", shards: 7 });
    const worst = Math.max(
      ...sized.shards.map((shard) => chunksForShard(shard.indices, counts, bytes).bytes / (shard.count * sampleBytes)),
    );
    console.log(`sample shards, size-only 4 MiB chunks: worst shard needs ${worst.toFixed(2)}× its share`);
    expect(sample.boundaries).toEqual([0, 8572, 17144, 25716, 34287, 42858, 51429, 60000]);
    expect(worst).toBeGreaterThan(1.1);
  });

  it("chunkLayout cuts at every boundary and into near-equal chunks of whole samples", () => {
    // 50 bytes → 2 chunks cut near 25; an empty shard gives none; 70 bytes → 3 chunks cut near 23 and 47.
    expect(chunkLayout(10, [0, 5, 5, 12], 30)).toEqual([2, 3, 2, 2, 3]);
    expect(chunkLayout([50, 1, 1, 1], [0, 4], 10)).toEqual([1, 1, 1, 1]);
    expect(chunkLayout(1, [0], 8)).toEqual([]);
  });

  it("chunksForShard finds the chunks of each range, skipping empty chunks", () => {
    const counts = [4, 0, 4, 4];
    const sizes = [400, 0, 410, 420];
    expect(chunksForShard([[0, 1]], counts, sizes)).toEqual({ chunks: [0], bytes: 400 });
    expect(chunksForShard([[3, 5]], counts, sizes)).toEqual({ chunks: [0, 2], bytes: 810 });
    expect(
      chunksForShard(
        [
          [0, 1],
          [2, 3],
          [9, 12],
        ],
        counts,
        sizes,
      ),
    ).toEqual({ chunks: [0, 3], bytes: 820 });
    expect(chunksForShard([[4, 12]], counts, sizes)).toEqual({ chunks: [2, 3], bytes: 830 });
    expect(() => chunksForShard([[10, 13]], counts, sizes)).toThrow(/beyond the chunks' 12 samples/);
    expect(() => chunksForShard([[0, 1]], counts, [1, 2])).toThrow(/CYXW_ERR_SHARD_ARGUMENT/);
    expect(() => chunksForShard([[0, 1]], [4, -1], [1, 2])).toThrow(/chunk 1's sample count is -1/);
  });

  it("refuses Feature (it splits columns) and bad boundaries", () => {
    try {
      packOrder(inputFromColumns({ a: [1], b: [2] }), { strategy: "feature", shards: 2 });
      expect.fail("feature has no pack order");
    } catch (e) {
      expect(isShardingError(e) && e.code).toBe("CYXW_ERR_SHARD_ARGUMENT");
    }
    expect(() => chunkLayout(1, [1, 4], 8)).toThrow(/boundaries must start at 0/);
    expect(() => chunkLayout(1, [0, 4, 2], 8)).toThrow(/boundary 2/);
    expect(() => chunkLayout([1, 2], [0, 4], 8)).toThrow(/2 sample sizes for 4 samples/);
    expect(() => chunkLayout(1, [0, 4], 0)).toThrow(/targetChunkBytes/);
  });
});
