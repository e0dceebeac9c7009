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

/** A BYOB reader of a byte stream, as much of it as the source uses (the core has no DOM types). */
interface ByobReader {
  read(view: Uint8Array): Promise<{ done: boolean; value?: Uint8Array }>;
  cancel(): Promise<void>;
}

/** The part of a `Blob` or `File` the chunker reads (declared here: the core has no DOM types). */
export interface BlobLike {
  readonly size: number;
  slice(
    start?: number,
    end?: number,
  ): { arrayBuffer(): Promise<ArrayBuffer>; stream?(): { getReader(options: { mode: "byob" }): ByobReader } };
}

/**
 * A source over a `Blob` or `File`, reading each range with `slice().arrayBuffer()`, or with a
 * BYOB reader of `slice().stream()` into a buffer the caller gives back (`readInto`) where the
 * browser's Blob streams are byte streams.
 */
export function blobByteSource(blob: BlobLike): ByteSource {
  let byob = true; // until a browser says its Blob streams are not byte streams
  const read = async (offset: number, length: number) =>
    new Uint8Array(await blob.slice(offset, Math.min(blob.size, offset + length)).arrayBuffer());
  return {
    size: blob.size,
    freshReads: true,
    read,
    async readInto(offset, length, into) {
      const end = Math.min(blob.size, offset + length);
      const part = blob.slice(offset, end);
      let reader: ByobReader | undefined;
      if (byob && part.stream !== undefined) {
        try {
          reader = part.stream().getReader({ mode: "byob" });
        } catch {
          byob = false; // TypeError: not a byte stream
        }
      }
      if (reader === undefined) return read(offset, length);
      const want = end - offset;
      let view = into.subarray(0, want);
      let filled = 0;
      while (filled < want) {
        const { done, value } = await reader.read(view.subarray(filled));
        if (done || value === undefined)
          throw new Error(`the file ended at byte ${offset + filled} of ${blob.size} while it was read`);
        // The read transferred the buffer: carry on in the new one (same memory).
        view = new Uint8Array(value.buffer, value.byteOffset - filled, want);
        filled += value.byteLength;
      }
      // Read to the end of the slice (it holds exactly `want` bytes) so the stream closes itself.
      const end2 = await reader.read(new Uint8Array(1));
      if (!end2.done) await reader.cancel().catch(() => undefined);
      return view;
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
