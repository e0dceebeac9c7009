import { sha256 } from "@noble/hashes/sha2.js";
import { DatasetError } from "../formats/dataset-error.js";

/** Which part of the dataset a sample belongs to (seed §8.3). */
export type SplitPart = "train" | "validation" | "test";

/** Train/validation/test in thousandths, and the seed that assigns samples to them. */
export interface SplitSpec {
  readonly trainPermille: number;
  readonly validationPermille: number;
  readonly testPermille: number;
  readonly seed: number;
}

/** 80% train, 10% validation, 10% test, seed 1. */
export const DEFAULT_SPLIT: SplitSpec = { trainPermille: 800, validationPermille: 100, testPermille: 100, seed: 1 };

/**
 * Checks a split: three non-negative integers adding up to 1000 and a seed that is a
 * non-negative safe integer.
 *
 * @throws DatasetError CYXW_ERR_DS_BAD_OPTION naming the problem.
 */
export function checkSplit(split: SplitSpec): SplitSpec {
  const parts = [split.trainPermille, split.validationPermille, split.testPermille];
  if (parts.some((p) => !Number.isInteger(p) || p < 0) || parts.reduce((a, b) => a + b, 0) !== 1000) {
    throw new DatasetError(
      "CYXW_ERR_DS_BAD_OPTION",
      {},
      `a split is three non-negative whole permille adding up to 1000; got ${parts.join("/")}`,
    );
  }
  if (!Number.isSafeInteger(split.seed) || split.seed < 0) {
    throw new DatasetError(
      "CYXW_ERR_DS_BAD_OPTION",
      {},
      `the split seed must be a non-negative integer; got ${split.seed}`,
    );
  }
  return split;
}

/**
 * The part sample `index` belongs to: the first 32 bits of SHA-256("cyxwiz-split" || seed ||
 * index), both as 8-byte big-endian integers, taken mod 1000 and compared with the parts'
 * thresholds (docs/dataset-formats.md "Split"). A function of (seed, index) alone, so the gateway,
 * a daemon and a browser tab agree on it without exchanging lists; the index is the sample's
 * position as packed.
 */
export function splitOf(split: SplitSpec, index: number): SplitPart {
  const slot = splitSlot(split.seed, index);
  if (slot < split.trainPermille) return "train";
  if (slot < split.trainPermille + split.validationPermille) return "validation";
  return "test";
}

const PREFIX = new TextEncoder().encode("cyxwiz-split");

function splitSlot(seed: number, index: number): number {
  const input = new Uint8Array(PREFIX.length + 16);
  input.set(PREFIX);
  const view = new DataView(input.buffer);
  view.setBigUint64(PREFIX.length, BigInt(seed));
  view.setBigUint64(PREFIX.length + 8, BigInt(index));
  const digest = sha256(input);
  return new DataView(digest.buffer, digest.byteOffset).getUint32(0) % 1000;
}
