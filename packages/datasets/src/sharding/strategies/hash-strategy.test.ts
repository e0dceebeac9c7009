import { describe, expect, it } from "vitest";
import { inputFromColumns } from "../columns-input.js";
import { createShards } from "../create-shards.js";
import { isShardingError } from "../sharding-error.js";
import { hashShardOf } from "./hash-strategy.js";

describe("hash strategy", () => {
  it("matches the reference values in docs/sharding.md", () => {
    // SHA-256("cyxwiz-shard-hash-v1\0" ‖ 00 00 00 00 00 00 00 2a ‖ "sample-0"): first 6 bytes mod 7.
    expect([0, 1, 2, 3].map((i) => hashShardOf(`sample-${i}`, 42, 7))).toEqual(REFERENCE);
  });

  it("puts a key in the same shard wherever it appears and whatever the row order", () => {
    const ids = Array.from({ length: 500 }, (_, i) => `id-${i % 100}`);
    const sharding = createShards(inputFromColumns({ id: ids }), {
      strategy: "hash",
      shards: 5,
      column: "id",
      seed: 9,
    });
    const shardOf = new Map<string, number>();
    for (const s of sharding.shards) {
      for (const [a, b] of s.indices) {
        for (let i = a; i < b; i++) {
          const before = shardOf.get(ids[i]!);
          expect(before === undefined || before === s.shard).toBe(true);
          shardOf.set(ids[i]!, s.shard);
        }
      }
    }
    const reversed = createShards(inputFromColumns({ id: [...ids].reverse() }), {
      strategy: "hash",
      shards: 5,
      column: "id",
      seed: 9,
    });
    for (const s of reversed.shards) for (const [a] of s.indices) expect(shardOf.get(ids[499 - a]!)).toBe(s.shard);
  });

  it("depends on the seed, and spreads 60,000 keys within 5 sigma of n/k", () => {
    const ids = Array.from({ length: 60_000 }, (_, i) => i);
    const a = createShards(inputFromColumns({ id: ids }), { strategy: "hash", shards: 7, column: "id", seed: 1 });
    const b = createShards(inputFromColumns({ id: ids }), { strategy: "hash", shards: 7, column: "id", seed: 2 });
    expect(a.shards.map((s) => s.indices)).not.toEqual(b.shards.map((s) => s.indices));
    const sigma = Math.sqrt(60_000 * (1 / 7) * (6 / 7));
    for (const s of a.shards) expect(Math.abs(s.count - 60_000 / 7)).toBeLessThan(5 * sigma);
  });

  it("refuses a row without a key, naming it", () => {
    try {
      createShards(inputFromColumns({ id: [1, 2, 3, null] }), { strategy: "hash", shards: 2, column: "id" });
      expect.fail("a missing key must be refused");
    } catch (e) {
      expect(isShardingError(e) && [e.code, e.row]).toEqual(["CYXW_ERR_SHARD_VALUE", 3]);
    }
  });
});

// Computed independently with Python's hashlib (docs/sharding.md shows the command).
const REFERENCE = [1, 2, 2, 3];
