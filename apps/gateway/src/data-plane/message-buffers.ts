/**
 * Long-lived buffers the frames route copies each WebSocket message into, reused from message to
 * message (docs/decisions.md, "Frames copied into reused buffers").
 *
 * Why: `ws` hands a message over in buffers it has just allocated (socket reads, and one more
 * per WebSocket frame that spans several reads). Kept while their chunk is verified and written,
 * those young ArrayBuffers survive scavenges, are promoted, and their external memory makes V8
 * run a full mark-compact every ~40 MB received. Copied out at once, they die young and a cheap
 * scavenge frees them; the copies live in these buffers, which are old and few.
 */
export interface MessageBuffers {
  /**
   * A buffer of at least `length` bytes (its length is `length` rounded up), to be given back
   * with {@link MessageBuffers.release} once nothing refers to its bytes any more.
   */
  take(length: number): Uint8Array;
  /** Gives a buffer from `take` back: kept for reuse while the pool is under its cap. */
  release(buffer: Uint8Array): void;
  /** Drops every kept buffer (when no upload is running, so an idle gateway holds none). */
  trim(): void;
  /** Bytes of the buffers kept for reuse. */
  readonly pooledBytes: number;
  /** Buffers taken and not yet released. */
  readonly outstanding: number;
}

export interface MessageBufferOptions {
  /** At most this many bytes of free buffers are kept; a release beyond it lets the buffer go. */
  readonly maxPooledBytes: number;
  /** Lengths are rounded up to a multiple of this, so messages of one upload share a size. Default 64 KiB. */
  readonly granularity?: number;
}

export function createMessageBuffers(options: MessageBufferOptions): MessageBuffers {
  const granularity = options.granularity ?? 64 * 1024;
  if (!Number.isInteger(granularity) || granularity < 1) {
    throw new RangeError(`granularity must be a positive integer, got ${granularity}`);
  }
  if (!Number.isInteger(options.maxPooledBytes) || options.maxPooledBytes < 0) {
    throw new RangeError(`maxPooledBytes must be a non-negative integer, got ${options.maxPooledBytes}`);
  }
  const free = new Map<number, Uint8Array[]>();
  const out = new Set<Uint8Array>();
  let pooledBytes = 0;
  return {
    take(length) {
      if (!Number.isInteger(length) || length < 0)
        throw new RangeError(`length must be a non-negative integer, got ${length}`);
      const size = Math.max(granularity, Math.ceil(length / granularity) * granularity);
      const list = free.get(size);
      let buffer = list?.pop();
      if (buffer === undefined) {
        buffer = new Uint8Array(size);
      } else {
        pooledBytes -= size;
        if (list!.length === 0) free.delete(size);
      }
      out.add(buffer);
      return buffer;
    },
    release(buffer) {
      if (!out.delete(buffer))
        throw new TypeError("release: this buffer was not taken from this pool, or was released already");
      if (pooledBytes + buffer.length > options.maxPooledBytes) return;
      const list = free.get(buffer.length) ?? [];
      list.push(buffer);
      free.set(buffer.length, list);
      pooledBytes += buffer.length;
    },
    trim() {
      free.clear();
      pooledBytes = 0;
    },
    get pooledBytes() {
      return pooledBytes;
    },
    get outstanding() {
      return out.size;
    },
  };
}
