import { equalBytes } from "@noble/ciphers/utils.js";
import { failure, type ProtocolFailure } from "../errors/error-codes.js";
import { err, ok, type Result } from "../result.js";
import { checkDigest, DIGEST_BYTES, leafHashAt, leafHashInto, nodeHashAt, nodeHashInto } from "./merkle-hash.js";

/**
 * An inclusion proof (RFC 6962 §2.1.1 audit path) that the chunk digest at `index` is a leaf of
 * the tree of `leafCount` leaves with a given root. It travels with a chunk (the proto's
 * `DataChunk.merkle_proof`, seed §5.2) so a worker can check one chunk without the others
 * (seed §5.4).
 */
export interface MerkleProof {
  /** The leaf's position, 0-based. */
  readonly index: number;
  /** The number of leaves (chunks) in the tree the proof is for. */
  readonly leafCount: number;
  /** Sibling hashes from the leaf's level up to the root's children, 32 bytes each. */
  readonly path: readonly Uint8Array[];
}

/** "CYXM": the first four bytes of a serialized tree. */
const MAGIC = Uint8Array.of(0x43, 0x59, 0x58, 0x4d);
const FORMAT_VERSION = 1;
/** magic (4) + version u32be (4) + leafCount u32be (4). */
const HEADER_BYTES = 12;
const MAX_LEAVES = 0xffff_ffff;
/**
 * No tree this code can describe is deeper than this (leafCount is a safe integer, < 2^53), so a
 * longer path is rejected before any hashing.
 */
const MAX_PATH_LENGTH = 53;

/**
 * A complete Merkle tree over a dataset version's chunk digests, shaped and hashed as RFC 6962
 * §2.1 (ARCHITECTURE §4): its root is the dataset version's identity, and `proof(i)` lets a worker
 * verify chunk `i` alone (seed §4.2 `MerkleTree`, seed §5.4 step 6).
 *
 * The interior is stored level by level, one Uint8Array of 32-byte nodes per level. Pairing the
 * nodes of a level left to right and carrying an unpaired last node up unchanged yields exactly
 * RFC 6962's tree (split at the largest power of two below n), because every left subtree in that
 * recursion is a perfect, aligned one. Leaf hashes are not stored: one is recomputed from its
 * chunk digest when a proof needs it, which saves a third of the memory.
 *
 * @example
 * const tree = MerkleTree.fromDigests(chunkDigests);
 * const proof = tree.proof(7);
 * verifyMerkleProof(chunkDigests[7], proof, tree.root); // true
 */
export class MerkleTree {
  readonly #leafCount: number;
  /** The chunk digests, 32 bytes each, in leaf order. */
  readonly #digests: Uint8Array;
  /** `#levels[k]` holds the nodes at height k + 1; the last level holds the root alone. */
  readonly #levels: readonly Uint8Array[];
  readonly #root: Uint8Array;

  private constructor(digests: Uint8Array, leafCount: number) {
    this.#leafCount = leafCount;
    this.#digests = digests;
    const levels: Uint8Array[] = [];
    if (leafCount === 1) {
      this.#root = leafHashAt(digests, 0);
    } else {
      let below = buildFirstLevel(digests, leafCount);
      levels.push(below);
      while (below.length > DIGEST_BYTES) {
        below = buildLevel(below);
        levels.push(below);
      }
      this.#root = below;
    }
    this.#levels = levels;
  }

  /**
   * Builds the tree over `chunkDigests`, leaf i being chunk i. The digests are copied.
   *
   * @param chunkDigests one 32-byte SHA-256 per chunk, in chunk order; at least one.
   * @throws TypeError if `chunkDigests` is not an array or an element is not a Uint8Array.
   * @throws RangeError if there are no digests (a dataset always has a chunk), more than
   *   2^32 - 1, or an element is not 32 bytes.
   */
  static fromDigests(chunkDigests: readonly Uint8Array[]): MerkleTree {
    if (!Array.isArray(chunkDigests)) {
      throw new TypeError("MerkleTree.fromDigests: chunkDigests must be an array");
    }
    const n = chunkDigests.length;
    if (n === 0) {
      throw new RangeError("MerkleTree.fromDigests: a tree needs at least one chunk digest, got 0");
    }
    if (n > MAX_LEAVES) {
      throw new RangeError(`MerkleTree.fromDigests: at most ${MAX_LEAVES} chunk digests, got ${n}`);
    }
    const digests = new Uint8Array(n * DIGEST_BYTES);
    for (let i = 0; i < n; i++) {
      const d = chunkDigests[i];
      checkDigest(d, `MerkleTree.fromDigests: chunkDigests[${i}]`);
      digests.set(d, i * DIGEST_BYTES);
    }
    return new MerkleTree(digests, n);
  }

  /**
   * Reads a tree written by {@link MerkleTree.serialize}, recomputing its interior. The input may
   * come from anywhere: every malformation is a failure result, never an exception, and nothing is
   * allocated before the length is checked against the declared leaf count.
   *
   * @returns the tree, or a `CYXW_ERR_MANIFEST` failure naming what is wrong (length, magic,
   *   version, leaf count).
   * @throws TypeError if `bytes` is not a Uint8Array (a caller bug, not bad data).
   */
  static deserialize(bytes: Uint8Array): Result<MerkleTree, ProtocolFailure> {
    if (!(bytes instanceof Uint8Array)) {
      throw new TypeError("MerkleTree.deserialize: bytes must be a Uint8Array");
    }
    if (bytes.length < HEADER_BYTES) {
      return err(
        failure(
          "CYXW_ERR_MANIFEST",
          `serialized Merkle tree is ${bytes.length} bytes, shorter than its ${HEADER_BYTES}-byte header`,
        ),
      );
    }
    for (let i = 0; i < MAGIC.length; i++) {
      if (bytes[i] !== MAGIC[i]) {
        return err(failure("CYXW_ERR_MANIFEST", 'serialized Merkle tree does not start with the magic "CYXM"'));
      }
    }
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const version = view.getUint32(4, false);
    if (version !== FORMAT_VERSION) {
      return err(
        failure(
          "CYXW_ERR_MANIFEST",
          `serialized Merkle tree has format version ${version}; this build reads version ${FORMAT_VERSION}`,
        ),
      );
    }
    const leafCount = view.getUint32(8, false);
    if (leafCount === 0) {
      return err(
        failure("CYXW_ERR_MANIFEST", "serialized Merkle tree declares 0 leaves; a dataset has at least one chunk"),
      );
    }
    const expected = HEADER_BYTES + leafCount * DIGEST_BYTES;
    if (bytes.length !== expected) {
      return err(
        failure(
          "CYXW_ERR_MANIFEST",
          `serialized Merkle tree declares ${leafCount} leaves, which take ${expected} bytes, but it is ${bytes.length} bytes`,
        ),
      );
    }
    return ok(new MerkleTree(bytes.slice(HEADER_BYTES), leafCount));
  }

  /** The number of leaves, that is of chunks. */
  get leafCount(): number {
    return this.#leafCount;
  }

  /** The 32-byte root hash: the dataset version's identity (ARCHITECTURE §4). A fresh copy. */
  get root(): Uint8Array {
    return this.#root.slice();
  }

  /**
   * The chunk digest at `index` (a fresh copy).
   *
   * @throws RangeError if `index` is not an integer in [0, leafCount).
   */
  digest(index: number): Uint8Array {
    this.#checkIndex(index, "MerkleTree.digest");
    return this.#digests.slice(index * DIGEST_BYTES, (index + 1) * DIGEST_BYTES);
  }

  /**
   * The inclusion proof for leaf `index`: its RFC 6962 audit path, bottom-up, with index and
   * leafCount. Its length is the number of levels at which the leaf's ancestor has a sibling
   * (at most ceil(log2(leafCount))).
   *
   * @throws RangeError if `index` is not an integer in [0, leafCount).
   */
  proof(index: number): MerkleProof {
    this.#checkIndex(index, "MerkleTree.proof");
    const path: Uint8Array[] = [];
    // Arithmetic, not `^ 1`: bitwise operators wrap at 2^31 and leaf counts go to 2^32 - 1.
    const sibling = siblingOf(index);
    if (sibling < this.#leafCount) path.push(leafHashAt(this.#digests, sibling * DIGEST_BYTES));
    let position = Math.floor(index / 2);
    // The last level is the root itself, which has no sibling.
    for (let k = 0; k < this.#levels.length - 1; k++) {
      const level = this.#levels[k] as Uint8Array;
      const s = siblingOf(position);
      if (s * DIGEST_BYTES < level.length) {
        path.push(level.slice(s * DIGEST_BYTES, (s + 1) * DIGEST_BYTES));
      }
      position = Math.floor(position / 2);
    }
    return { index, leafCount: this.#leafCount, path };
  }

  /**
   * The compact form, for storage beside the chunks: "CYXM", u32be format version 1, u32be
   * leafCount, then the leafCount chunk digests. The interior is recomputed on load.
   */
  serialize(): Uint8Array {
    const out = new Uint8Array(HEADER_BYTES + this.#digests.length);
    out.set(MAGIC, 0);
    const view = new DataView(out.buffer);
    view.setUint32(4, FORMAT_VERSION, false);
    view.setUint32(8, this.#leafCount, false);
    out.set(this.#digests, HEADER_BYTES);
    return out;
  }

  #checkIndex(index: number, label: string): void {
    if (typeof index !== "number") {
      throw new TypeError(`${label}: index must be a number`);
    }
    if (!Number.isInteger(index) || index < 0 || index >= this.#leafCount) {
      throw new RangeError(`${label}: index ${index} is outside [0, ${this.#leafCount})`);
    }
  }
}

function siblingOf(position: number): number {
  return position % 2 === 0 ? position + 1 : position - 1;
}

/** Height 1: pairs of leaf hashes, computed straight from the digests; an unpaired last leaf is carried. */
function buildFirstLevel(digests: Uint8Array, leafCount: number): Uint8Array {
  const count = Math.ceil(leafCount / 2);
  const out = new Uint8Array(count * DIGEST_BYTES);
  const pair = new Uint8Array(2 * DIGEST_BYTES);
  for (let j = 0; j < count; j++) {
    const left = 2 * j * DIGEST_BYTES;
    if (2 * j + 1 < leafCount) {
      leafHashInto(digests, left, pair, 0);
      leafHashInto(digests, left + DIGEST_BYTES, pair, DIGEST_BYTES);
      nodeHashInto(pair, 0, pair, DIGEST_BYTES, out, j * DIGEST_BYTES);
    } else {
      leafHashInto(digests, left, out, j * DIGEST_BYTES);
    }
  }
  return out;
}

/** The level above `below`: pairs hashed, an unpaired last node carried up unchanged (RFC 6962 shape). */
function buildLevel(below: Uint8Array): Uint8Array {
  const belowCount = below.length / DIGEST_BYTES;
  const count = Math.ceil(belowCount / 2);
  const out = new Uint8Array(count * DIGEST_BYTES);
  for (let j = 0; j < count; j++) {
    const left = 2 * j * DIGEST_BYTES;
    if (2 * j + 1 < belowCount) {
      nodeHashInto(below, left, below, left + DIGEST_BYTES, out, j * DIGEST_BYTES);
    } else {
      out.set(below.subarray(left, left + DIGEST_BYTES), j * DIGEST_BYTES);
    }
  }
  return out;
}

/**
 * Recomputes the root from a leaf hash and its audit path with the algorithm of RFC 9162
 * §2.1.3.2 (the same check as RFC 6962 §2.1.1). Returns `undefined` for any proof that cannot be
 * for a tree of `leafCount` leaves: index out of range, a path too short or too long, an element
 * that is not 32 bytes. Internal: the public check is {@link verifyMerkleProof}; tests use this to
 * run the Certificate Transparency vectors, whose leaves are not 32-byte digests.
 */
export function rootFromAuditPath(
  leaf: Uint8Array,
  index: number,
  leafCount: number,
  path: readonly unknown[],
): Uint8Array | undefined {
  if (!Number.isSafeInteger(index) || !Number.isSafeInteger(leafCount)) return undefined;
  if (index < 0 || index >= leafCount) return undefined;
  if (path.length > MAX_PATH_LENGTH) return undefined;
  let fn = index;
  let sn = leafCount - 1;
  let r = leaf;
  for (let i = 0; i < path.length; i++) {
    const p = path[i];
    if (!(p instanceof Uint8Array) || p.length !== DIGEST_BYTES) return undefined;
    // A path longer than the tree is deep.
    if (sn === 0) return undefined;
    if (fn % 2 === 1 || fn === sn) {
      r = nodeHashAt(p, 0, r, 0);
      // Skip the levels where this node was the unpaired last one and so was carried up.
      while (fn % 2 === 0 && fn !== 0) {
        fn = Math.floor(fn / 2);
        sn = Math.floor(sn / 2);
      }
    } else {
      r = nodeHashAt(r, 0, p, 0);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  // A path shorter than the tree is deep.
  return sn === 0 ? r : undefined;
}

/**
 * Checks that `chunkDigest` is leaf `proof.index` of the tree of `proof.leafCount` leaves whose
 * root is `root` (RFC 6962 §2.1.1, verified per RFC 9162 §2.1.3.2; seed §5.4 step 6). The final
 * comparison runs in constant time.
 *
 * The proof's `leafCount` must come from the same trusted source as `root` (the manifest): as in
 * RFC 6962, two tree sizes whose audit paths for `index` have the same shape give the same
 * computed root, so the proof alone does not pin the size.
 *
 * @returns true if the proof holds; false, never an exception, for a proof that does not hold or
 *   is malformed (index >= leafCount, wrong path length for index and leafCount, an element or the
 *   digest or root not 32 bytes, non-integer numbers).
 */
export function verifyMerkleProof(chunkDigest: Uint8Array, proof: MerkleProof, root: Uint8Array): boolean {
  if (!(chunkDigest instanceof Uint8Array) || chunkDigest.length !== DIGEST_BYTES) return false;
  if (!(root instanceof Uint8Array) || root.length !== DIGEST_BYTES) return false;
  if (typeof proof !== "object" || proof === null || !Array.isArray(proof.path)) return false;
  const { index, leafCount, path } = proof;
  if (typeof index !== "number" || typeof leafCount !== "number") return false;
  const computed = rootFromAuditPath(leafHashAt(chunkDigest, 0), index, leafCount, path);
  return computed !== undefined && equalBytes(computed, root);
}
