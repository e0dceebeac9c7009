import { sha256 } from "@noble/hashes/sha2.js";

/**
 * The size of every value the Merkle tree handles: a chunk digest (SHA-256 of a stored chunk,
 * seed §4.2), a leaf hash, an inner node hash and the root.
 */
export const DIGEST_BYTES = 32;

/**
 * RFC 6962 §2.1 domain separation: a leaf hash is SHA-256 over 0x00 || data and an inner node over
 * 0x01 || left || right, so an inner node can never be presented as a leaf (a second preimage on
 * the tree shape). ARCHITECTURE §4 requires it.
 */
const LEAF_PREFIX = 0x00;
const NODE_PREFIX = 0x01;

/** Throws a labelled TypeError/RangeError unless `value` is a 32-byte Uint8Array (STYLE §11). */
export function checkDigest(value: unknown, label: string): asserts value is Uint8Array {
  if (!(value instanceof Uint8Array)) {
    throw new TypeError(`${label} must be a Uint8Array`);
  }
  if (value.length !== DIGEST_BYTES) {
    throw new RangeError(`${label} must be ${DIGEST_BYTES} bytes, got ${value.length}`);
  }
}

/**
 * Hashing state reused across calls. Building a 1,000,000-leaf tree makes about two million
 * of these tiny hashes, and allocating a fresh hasher for each one cost more than the hashing
 * itself (garbage collection and DataView creation, measured with --cpu-prof). So one hasher per
 * prefix absorbs its prefix byte once, and each hash restores a working hasher from it with
 * `_cloneInto` (part of noble's public `Hash` interface, "destination instance to reuse").
 * Module-level state is safe: JavaScript runs each call to completion and none of these calls
 * out to user code.
 */
const leafBase = sha256.create().update(Uint8Array.of(LEAF_PREFIX));
const nodeBase = sha256.create().update(Uint8Array.of(NODE_PREFIX));
const work = sha256.create();
const out32 = new Uint8Array(DIGEST_BYTES);

/**
 * Writes the leaf hash of the 32 bytes of `src` at `srcOffset` into `dest` at `destOffset`.
 * Unchecked: the caller guarantees both ranges. `dest` may alias `src`.
 */
export function leafHashInto(src: Uint8Array, srcOffset: number, dest: Uint8Array, destOffset: number): void {
  leafBase._cloneInto(work);
  work.update(src.subarray(srcOffset, srcOffset + DIGEST_BYTES));
  work.digestInto(out32);
  dest.set(out32, destOffset);
}

/**
 * Writes the node hash of the 32-byte ranges `left`@`leftOffset` and `right`@`rightOffset` into
 * `dest` at `destOffset`. Unchecked: the caller guarantees the ranges. `dest` may alias an input.
 */
export function nodeHashInto(
  left: Uint8Array,
  leftOffset: number,
  right: Uint8Array,
  rightOffset: number,
  dest: Uint8Array,
  destOffset: number,
): void {
  nodeBase._cloneInto(work);
  work.update(left.subarray(leftOffset, leftOffset + DIGEST_BYTES));
  work.update(right.subarray(rightOffset, rightOffset + DIGEST_BYTES));
  work.digestInto(out32);
  dest.set(out32, destOffset);
}

/** Leaf hash of the 32 bytes of `src` at `offset`, as a new array; unchecked. */
export function leafHashAt(src: Uint8Array, offset: number): Uint8Array {
  const out = new Uint8Array(DIGEST_BYTES);
  leafHashInto(src, offset, out, 0);
  return out;
}

/** Node hash of two 32-byte ranges, as a new array; unchecked. */
export function nodeHashAt(left: Uint8Array, leftOffset: number, right: Uint8Array, rightOffset: number): Uint8Array {
  const out = new Uint8Array(DIGEST_BYTES);
  nodeHashInto(left, leftOffset, right, rightOffset, out, 0);
  return out;
}

/**
 * The leaf hash of a chunk: SHA-256(0x00 || chunkDigest) (RFC 6962 §2.1, ARCHITECTURE §4).
 *
 * @param chunkDigest the 32-byte SHA-256 of the chunk as stored.
 * @returns a new 32-byte array.
 * @throws TypeError if `chunkDigest` is not a Uint8Array.
 * @throws RangeError if `chunkDigest` is not 32 bytes.
 */
export function leafHash(chunkDigest: Uint8Array): Uint8Array {
  checkDigest(chunkDigest, "leafHash: chunkDigest");
  return leafHashAt(chunkDigest, 0);
}

/**
 * The hash of an inner node: SHA-256(0x01 || left || right) (RFC 6962 §2.1).
 *
 * @param left the 32-byte hash of the left subtree.
 * @param right the 32-byte hash of the right subtree.
 * @returns a new 32-byte array.
 * @throws TypeError if either argument is not a Uint8Array.
 * @throws RangeError if either argument is not 32 bytes.
 */
export function nodeHash(left: Uint8Array, right: Uint8Array): Uint8Array {
  checkDigest(left, "nodeHash: left");
  checkDigest(right, "nodeHash: right");
  return nodeHashAt(left, 0, right, 0);
}
