import { AES_GCM_TAG_BYTES as TAG_BYTES } from "../primitives/primitives.js";
import { MAX_CHUNK_SIZE } from "./chunk-format.js";

/** Largest chunk count a transfer or manifest may declare (a u32 index; see docs/wire-format.md). */
export const MAX_CHUNKS = 0xffff_ffff;

/** How a chunk's plaintext became its stored bytes (docs/wire-format.md "Compressed chunks"). */
export interface StoredForm {
  /** Sealed with AES-256-GCM: the stored bytes carry the 16-byte tag. */
  readonly encrypted: boolean;
  /**
   * Whether the chunk is stored compressed; `"unknown"` where the sender does not say (a
   * `DataChunk` of a streaming upload carries no COMPRESSED flag): then either size is allowed.
   */
  readonly compressed: boolean | "unknown";
}

/** The inclusive range of sizes a chunk's stored bytes can have: `min <= size <= max`. Empty when `min > max`. */
export interface SizeBounds {
  readonly min: number;
  readonly max: number;
}

/**
 * The sizes a chunk of `plainSize` plaintext bytes can have as stored: the packer keeps the
 * compressed form only if it is smaller (docs/wire-format.md "Compressed chunks"), so an
 * uncompressed chunk is exactly `plainSize` bytes and a compressed one 1 to `plainSize - 1` (no
 * codec's output is empty); sealing adds the GCM tag to either (docs/crypto.md).
 *
 * @throws RangeError for a plain size that is not a non-negative safe integer.
 */
export function storedSizeBoundsOf(plainSize: number, form: StoredForm): SizeBounds {
  if (!Number.isSafeInteger(plainSize) || plainSize < 0) {
    throw new RangeError(`plain size must be a non-negative integer, got ${plainSize}`);
  }
  const tag = form.encrypted ? TAG_BYTES : 0;
  const min = form.compressed === false ? plainSize : 1;
  const max = form.compressed === true ? plainSize - 1 : plainSize;
  return { min: min + tag, max: max + tag };
}

/** Why a chunk's stored size is impossible for its place in the layout, or `undefined` when it fits. */
export function describeSizeMismatch(index: number, size: number, bounds: SizeBounds): string | undefined {
  if (size >= bounds.min && size <= bounds.max) return undefined;
  const expected =
    bounds.min > bounds.max
      ? "no size (it cannot be stored that way)"
      : bounds.min === bounds.max
        ? `exactly ${bounds.min}`
        : `${bounds.min} to ${bounds.max}`;
  return `chunk ${index} has ${size} stored bytes; its declared size allows ${expected}`;
}

/**
 * A dataset cut into chunks of `chunkSize` plaintext bytes, the last one holding the rest
 * (docs/upload-protocol.md §1): what InitiateTransfer declares, and the one place that says how
 * large each chunk is, before and after compression and encryption.
 */
export interface FixedChunkLayout {
  /** Plaintext bytes per chunk, 1..MAX_CHUNK_SIZE. */
  readonly chunkSize: number;
  /** Plaintext bytes of the whole dataset. */
  readonly totalSize: number;
  /** ceil(totalSize / chunkSize), and 1 for an empty dataset (its one chunk is empty). */
  readonly numChunks: number;
  /**
   * Plaintext bytes of chunk `index`: `chunkSize`, except the last chunk's remainder.
   * @throws RangeError for an index outside 0..numChunks-1.
   */
  plainSizeOf(index: number): number;
  /**
   * Where chunk `index` starts in the dataset's plaintext: the plain sizes of the chunks before it.
   * @throws RangeError for an index outside 0..numChunks-1.
   */
  offsetOf(index: number): number;
  /**
   * The stored sizes chunk `index` can have in this form ({@link storedSizeBoundsOf}).
   * @throws RangeError for an index outside 0..numChunks-1.
   */
  storedSizeBounds(index: number, form: StoredForm): SizeBounds;
  /** The most bytes the whole dataset can take stored: every chunk uncompressed, plus its tag when encrypted. */
  maxStoredTotal(encrypted: boolean): number;
}

/**
 * Checks a chunk size: an integer from 1 to MAX_CHUNK_SIZE, which leaves room in a frame for the
 * GCM tag under the default payload bound.
 *
 * @throws RangeError otherwise.
 */
export function checkChunkSize(chunkSize: number): number {
  if (!Number.isInteger(chunkSize) || chunkSize < 1 || chunkSize > MAX_CHUNK_SIZE) {
    throw new RangeError(`chunk size must be an integer from 1 to ${MAX_CHUNK_SIZE} bytes, got ${chunkSize}`);
  }
  return chunkSize;
}

/**
 * The layout of `totalSize` bytes in chunks of `chunkSize`.
 *
 * @throws RangeError for a chunk size outside 1..MAX_CHUNK_SIZE, a total size that is not a
 *   non-negative safe integer, or more than MAX_CHUNKS chunks.
 * @example
 * const layout = fixedChunkLayout(4 << 20, file.size);
 * const { max } = layout.storedSizeBounds(layout.numChunks - 1, { encrypted: true, compressed: false });
 */
export function fixedChunkLayout(chunkSize: number, totalSize: number): FixedChunkLayout {
  checkChunkSize(chunkSize);
  if (!Number.isSafeInteger(totalSize) || totalSize < 0) {
    throw new RangeError(`total size must be a non-negative integer, got ${totalSize}`);
  }
  const numChunks = Math.max(1, Math.ceil(totalSize / chunkSize));
  if (numChunks > MAX_CHUNKS) {
    throw new RangeError(
      `${totalSize} bytes in chunks of ${chunkSize} make ${numChunks} chunks; at most ${MAX_CHUNKS}`,
    );
  }
  const lastSize = totalSize - (numChunks - 1) * chunkSize;
  const plainSizeOf = (index: number): number => {
    if (!Number.isInteger(index) || index < 0 || index >= numChunks) {
      throw new RangeError(`chunk index must be an integer in 0..${numChunks - 1}, got ${index}`);
    }
    return index === numChunks - 1 ? lastSize : chunkSize;
  };
  return {
    chunkSize,
    totalSize,
    numChunks,
    plainSizeOf,
    offsetOf: (index) => {
      plainSizeOf(index); // the same RangeError for an index outside the layout
      return index * chunkSize;
    },
    storedSizeBounds: (index, form) => storedSizeBoundsOf(plainSizeOf(index), form),
    maxStoredTotal: (encrypted) => totalSize + (encrypted ? numChunks * TAG_BYTES : 0),
  };
}
