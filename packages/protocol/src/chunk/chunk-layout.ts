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
 * How a dataset's plaintext is cut into chunks: the one place that says where each chunk starts,
 * how large it is, and how large it can be once compressed and encrypted (docs/upload-protocol.md
 * §1). Two shapes exist: fixed-size byte chunks for an opaque file ({@link fixedChunkLayout}) and
 * chunks of whole samples, each of its own size ({@link sampleChunkLayout}).
 */
export interface ChunkLayout {
  /**
   * The largest plaintext chunk, 1..MAX_CHUNK_SIZE: every chunk of a fixed layout but the last has
   * exactly this many bytes; a sample layout's chunks have at most this many.
   */
  readonly chunkSize: number;
  /** Plaintext bytes of the whole dataset. */
  readonly totalSize: number;
  /** Chunks in the dataset, at least 1 (an empty dataset has one empty chunk). */
  readonly numChunks: number;
  /** Plaintext bytes of the largest chunk (what bounds a frame of this dataset before it is read). */
  readonly largestPlainSize: number;
  /**
   * Per-chunk plaintext sizes when the chunks are of whole samples (as InitiateTransfer declares
   * them in `options.chunk_plain_sizes`); `undefined` for fixed-size chunks.
   */
  readonly samplePlainSizes: readonly number[] | undefined;
  /**
   * Plaintext bytes of chunk `index`.
   * @throws RangeError for an index outside 0..numChunks-1.
   */
  plainSizeOf(index: number): number;
  /**
   * Offset of chunk `index`'s first plaintext byte in the dataset.
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

/** A layout of fixed-size chunks (kept as a name for the callers that only ever make those). */
export type FixedChunkLayout = ChunkLayout;

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
 * The layout of `totalSize` bytes in chunks of `chunkSize`, the last one holding the rest.
 *
 * @throws RangeError for a chunk size outside 1..MAX_CHUNK_SIZE, a total size that is not a
 *   non-negative safe integer, or more than MAX_CHUNKS chunks.
 * @example
 * const layout = fixedChunkLayout(4 << 20, file.size);
 * const { max } = layout.storedSizeBounds(layout.numChunks - 1, { encrypted: true, compressed: false });
 */
export function fixedChunkLayout(chunkSize: number, totalSize: number): ChunkLayout {
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
  return layoutOf({
    chunkSize,
    totalSize,
    numChunks,
    largestPlainSize: numChunks > 1 ? chunkSize : lastSize,
    samplePlainSizes: undefined,
    plainSize: (index) => (index === numChunks - 1 ? lastSize : chunkSize),
    offset: (index) => index * chunkSize,
  });
}

/**
 * The layout of chunks of whole samples (docs/dataset-formats.md): chunk `i` holds
 * `plainSizes[i]` plaintext bytes, each from 1 to `chunkSize` (the target the packer filled
 * chunks up to), so no chunk is empty and none is larger than a fixed chunk of that size would be.
 *
 * @throws RangeError for a chunk size outside 1..MAX_CHUNK_SIZE, no chunks or more than
 *   MAX_CHUNKS, or a size that is not an integer from 1 to `chunkSize` (naming the chunk).
 * @example
 * const layout = sampleChunkLayout(4 << 20, chunks.map((c) => c.bytes.length));
 */
export function sampleChunkLayout(chunkSize: number, plainSizes: readonly number[]): ChunkLayout {
  checkChunkSize(chunkSize);
  const numChunks = plainSizes.length;
  if (numChunks < 1 || numChunks > MAX_CHUNKS) {
    throw new RangeError(`a dataset of samples has 1 to ${MAX_CHUNKS} chunks, got ${numChunks}`);
  }
  const offsets = new Array<number>(numChunks);
  let totalSize = 0;
  for (let i = 0; i < numChunks; i++) {
    const size = plainSizes[i]!;
    if (!Number.isInteger(size) || size < 1 || size > chunkSize) {
      throw new RangeError(`chunk ${i} declares ${size} plaintext bytes; a chunk of samples has 1 to ${chunkSize}`);
    }
    offsets[i] = totalSize;
    totalSize += size;
  }
  const sizes = [...plainSizes];
  return layoutOf({
    chunkSize,
    totalSize,
    numChunks,
    largestPlainSize: sizes.reduce((a, b) => Math.max(a, b), 0),
    samplePlainSizes: sizes,
    plainSize: (index) => sizes[index]!,
    offset: (index) => offsets[index]!,
  });
}

/**
 * The layout a transfer declared at InitiateTransfer: chunks of whole samples when it lists
 * per-chunk plain sizes, fixed-size chunks otherwise. The one function the gateway, the fake
 * gateway and the quota use to rebuild a transfer's layout.
 *
 * @throws RangeError as {@link fixedChunkLayout} or {@link sampleChunkLayout} do, and when the
 *   listed sizes do not add up to `totalSize`.
 */
export function transferChunkLayout(declared: {
  readonly chunkSize: number;
  readonly totalSize: number;
  readonly plainSizes?: readonly number[] | undefined;
}): ChunkLayout {
  const sizes = declared.plainSizes;
  if (sizes === undefined || sizes.length === 0) return fixedChunkLayout(declared.chunkSize, declared.totalSize);
  const layout = sampleChunkLayout(declared.chunkSize, sizes);
  if (layout.totalSize !== declared.totalSize) {
    throw new RangeError(
      `the ${sizes.length} chunk sizes add up to ${layout.totalSize} bytes, not the total_size ${declared.totalSize}`,
    );
  }
  return layout;
}

function layoutOf(shape: {
  chunkSize: number;
  totalSize: number;
  numChunks: number;
  largestPlainSize: number;
  samplePlainSizes: readonly number[] | undefined;
  plainSize: (index: number) => number;
  offset: (index: number) => number;
}): ChunkLayout {
  const { numChunks } = shape;
  const checked = (index: number): number => {
    if (!Number.isInteger(index) || index < 0 || index >= numChunks) {
      throw new RangeError(`chunk index must be an integer in 0..${numChunks - 1}, got ${index}`);
    }
    return index;
  };
  const plainSizeOf = (index: number) => shape.plainSize(checked(index));
  return {
    chunkSize: shape.chunkSize,
    totalSize: shape.totalSize,
    numChunks,
    largestPlainSize: shape.largestPlainSize,
    samplePlainSizes: shape.samplePlainSizes,
    plainSizeOf,
    offsetOf: (index) => shape.offset(checked(index)),
    storedSizeBounds: (index, form) => storedSizeBoundsOf(plainSizeOf(index), form),
    maxStoredTotal: (encrypted) => shape.totalSize + (encrypted ? numChunks * TAG_BYTES : 0),
  };
}
