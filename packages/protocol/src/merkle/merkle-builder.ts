import { checkDigest, DIGEST_BYTES, leafHashInto, nodeHashInto } from "./merkle-hash.js";

/**
 * Computes a Merkle root while chunks stream past, without holding the digests: the uploader
 * hashes a multi-gigabyte file chunk by chunk (ARCHITECTURE §4) and needs only the root for the
 * manifest. Its root equals `MerkleTree.fromDigests(sameDigests).root` for every leaf count.
 */
export interface MerkleBuilder {
  /**
   * Adds the next chunk's digest as the next leaf.
   *
   * @throws TypeError if `chunkDigest` is not a Uint8Array.
   * @throws RangeError if `chunkDigest` is not 32 bytes.
   */
  append(chunkDigest: Uint8Array): void;
  /** The number of digests appended so far. */
  readonly leafCount: number;
  /**
   * The root of the tree over the digests appended so far (a fresh array). The builder stays
   * usable: more digests may be appended and the root asked for again.
   *
   * @throws RangeError if nothing has been appended (a dataset always has a chunk).
   */
  root(): Uint8Array;
}

/**
 * Creates a streaming Merkle root builder using O(log n) memory.
 *
 * It keeps the roots of the perfect subtrees that the leaves so far decompose into, largest first,
 * one per set bit of the leaf count; appending a leaf merges equal-sized neighbours as a binary
 * counter carries. The root folds that stack from the right, which is RFC 6962 §2.1's split at the
 * largest power of two below n, applied recursively.
 *
 * @example
 * const builder = createMerkleBuilder();
 * for (const digest of chunkDigests) builder.append(digest);
 * const root = builder.root();
 */
export function createMerkleBuilder(): MerkleBuilder {
  /**
   * Roots of perfect subtrees, 32 bytes each, sizes strictly decreasing from slot 0, plus one slot
   * for the incoming leaf. A count below 2^53 has at most 53 set bits, so 54 slots (1.7 KiB) always
   * suffice.
   */
  const stack = new Uint8Array(54 * DIGEST_BYTES);
  let depth = 0;
  let count = 0;
  return {
    append(chunkDigest: Uint8Array): void {
      checkDigest(chunkDigest, "MerkleBuilder.append: chunkDigest");
      if (count >= Number.MAX_SAFE_INTEGER) {
        throw new RangeError("MerkleBuilder.append: the leaf count would exceed 2^53 - 1");
      }
      leafHashInto(chunkDigest, 0, stack, depth * DIGEST_BYTES);
      // Each trailing 1 bit of the old count is a perfect subtree the size of the node just made:
      // merge them, as a binary counter carries.
      for (let c = count; c % 2 === 1; c = (c - 1) / 2) {
        const left = (depth - 1) * DIGEST_BYTES;
        nodeHashInto(stack, left, stack, depth * DIGEST_BYTES, stack, left);
        depth -= 1;
      }
      depth += 1;
      count += 1;
    },
    get leafCount(): number {
      return count;
    },
    root(): Uint8Array {
      if (count === 0) {
        throw new RangeError("MerkleBuilder.root: no chunk digest appended; a tree needs at least one");
      }
      // Fold from the right into a separate array, leaving the stack as it was.
      const r = stack.slice((depth - 1) * DIGEST_BYTES, depth * DIGEST_BYTES);
      for (let i = depth - 2; i >= 0; i--) {
        nodeHashInto(stack, i * DIGEST_BYTES, r, 0, r, 0);
      }
      return r;
    },
  };
}
