/**
 * Random-access bytes the chunker reads one chunk at a time, so memory stays bounded by the
 * chunk size whatever the dataset's size. Browsers wrap a `Blob`/`File` (`blobByteSource`), Node
 * wraps a file (`openFileByteSource` in `@cyxwiz/protocol/node`).
 */
export interface ByteSource {
  /** Total bytes. */
  readonly size: number;
  /** Reads `length` bytes at `offset` (fewer only at the end). */
  read(offset: number, length: number): Promise<Uint8Array>;
  /**
   * True when every `read` returns a fresh buffer nobody else holds, so a consumer may hand it to
   * a worker without copying (a sealing pool transfers it).
   */
  readonly freshReads?: boolean;
  /**
   * Optional: reads like `read`, but into `into` (at least `length` bytes long), returning a view
   * of exactly the bytes read, which may lie in a new ArrayBuffer object over the same memory (a
   * byte stream's BYOB read transfers it). Lets a reader reuse buffers instead of allocating one
   * per chunk. `into` is given up: use only the returned view.
   */
  readInto?(offset: number, length: number, into: Uint8Array): Promise<Uint8Array>;
}

/** The part of a `Blob` or `File` the chunker reads (declared here: the core has no DOM types). */
export interface BlobLike {
  readonly size: number;
  slice(start?: number, end?: number): { arrayBuffer(): Promise<ArrayBuffer> };
}

/**
 * A source over a `Blob` or `File`, reading each range with `slice().arrayBuffer()`. (No
 * `readInto`: BYOB reads of `slice().stream()` into reused buffers stalled uploads of OPFS files
 * in Chromium 156 now and then, docs/decisions.md.)
 */
export function blobByteSource(blob: BlobLike): ByteSource {
  return {
    size: blob.size,
    freshReads: true,
    async read(offset, length) {
      return new Uint8Array(await blob.slice(offset, Math.min(blob.size, offset + length)).arrayBuffer());
    },
  };
}

/** A source over bytes already in memory (views, no copies). */
export function bytesByteSource(bytes: Uint8Array): ByteSource {
  return {
    size: bytes.length,
    async read(offset, length) {
      return bytes.subarray(offset, Math.min(bytes.length, offset + length));
    },
  };
}
