import { type ChunkPacker, chunkToFrame, type PackedChunk } from "@cyxwiz/protocol/chunk";
import { FRAME_OVERHEAD_BYTES, FrameFlag } from "@cyxwiz/protocol/frame";
import type { Primitives } from "@cyxwiz/protocol/primitives";

/** Chunks prepared ahead of the one being sent (each holds about one chunk of memory). */
export const READ_AHEAD = 3;

/**
 * Chunks on their way to the socket: packed (read → compress? → encrypt? → hash) ahead of the
 * send loop, then framed. Reading a File slice is I/O (the browser's disk thread), so several
 * reads in flight overlap the crypto of the chunk before them; the crypto itself runs in order.
 */
export interface ChunkPipeline {
  /**
   * Chunk `index` packed (taken from those packed ahead when it is there), then starts packing
   * the next of `upcoming` that `skip` does not exclude, up to {@link READ_AHEAD} ahead.
   */
  next(index: number, upcoming: readonly number[], skip: (index: number) => boolean): Promise<PackedChunk>;
  /**
   * The frame of `chunk` (REQUIRES_ACK, and RETRANSMIT when `retransmit`). With `reuseBuffer`
   * (a socket that copies what it sends) every frame is written into one buffer instead of a
   * fresh chunk-sized one each time.
   */
  frame(chunk: PackedChunk, retransmit: boolean, reuseBuffer: boolean): Promise<Uint8Array>;
}

/** Creates the pipeline of one socket over `packer`. */
export function createChunkPipeline(
  primitives: Primitives,
  packer: ChunkPacker,
  readAhead: number = READ_AHEAD,
): ChunkPipeline {
  const ahead = new Map<number, Promise<PackedChunk>>();
  let frameBuffer: Uint8Array | undefined;
  const packed = (index: number) => {
    const p = ahead.get(index);
    if (p === undefined) return packer.pack(index);
    ahead.delete(index);
    return p;
  };
  return {
    async next(index, upcoming, skip) {
      const chunk = await packed(index);
      for (const next of upcoming) {
        if (ahead.size >= readAhead) break;
        if (ahead.has(next) || skip(next)) continue;
        // Read, compress, seal and hash the next chunks while this one travels.
        const packing = packer.pack(next);
        packing.catch(() => undefined); // awaited when its turn comes; must not go unhandled meanwhile
        ahead.set(next, packing);
      }
      return chunk;
    },
    frame(chunk, retransmit, reuseBuffer) {
      let into: Uint8Array | undefined;
      if (reuseBuffer) {
        const frameSize = chunk.storedSize + FRAME_OVERHEAD_BYTES;
        if (frameBuffer === undefined || frameBuffer.length < frameSize) frameBuffer = new Uint8Array(frameSize);
        into = frameBuffer;
      }
      return chunkToFrame(primitives, chunk, FrameFlag.REQUIRES_ACK | (retransmit ? FrameFlag.RETRANSMIT : 0), into);
    },
  };
}
