import { sha256 } from "@noble/hashes/sha2.js";
import { utf8ToBytes } from "@noble/hashes/utils.js";
import { cellText, requireColumn } from "../column-values.js";
import type { RowStrategy } from "../sharding-strategy.js";

const HASH_DOMAIN = utf8ToBytes("cyxwiz-shard-hash-v1\0");

/**
 * The shard of one key under `seed`: SHA-256 over `"cyxwiz-shard-hash-v1\0" ‖ seed (8 bytes,
 * big-endian) ‖ UTF-8 key text`; the first 6 bytes of the digest, a 48-bit big-endian integer,
 * modulo `shards` (bias below shards / 2^48). docs/sharding.md gives a reference value.
 */
export function hashShardOf(keyText: string, seed: number, shards: number): number {
  const key = utf8ToBytes(keyText);
  const message = new Uint8Array(HASH_DOMAIN.length + 8 + key.length);
  message.set(HASH_DOMAIN, 0);
  const view = new DataView(message.buffer);
  view.setUint32(HASH_DOMAIN.length, Math.floor(seed / 2 ** 32));
  view.setUint32(HASH_DOMAIN.length + 4, seed >>> 0);
  message.set(key, HASH_DOMAIN.length + 8);
  const d = sha256(message);
  const high = (d[0]! << 16) | (d[1]! << 8) | d[2]!;
  const low = (d[3]! << 16) | (d[4]! << 8) | d[5]!;
  return (high * 2 ** 24 + low) % shards; // exact: a 48-bit integer is a safe double
}

/**
 * Hash sharding (seed §6.1): a sample's shard is a hash of its key column's value and the seed,
 * so the same key lands in the same shard on every machine and in every run. Sizes are balanced
 * only statistically (binomial: about ±sqrt(n/k) around n/k).
 */
export const hashStrategy: RowStrategy = {
  kind: "rows",
  assign(input, spec) {
    const values = requireColumn(input, spec.column, "hash key");
    const shardOf = new Uint32Array(input.numSamples);
    for (let row = 0; row < input.numSamples; row++) {
      shardOf[row] = hashShardOf(cellText(values[row], row, spec.column!, "hash key"), spec.seed, spec.shards);
    }
    return shardOf;
  },
};
