import type { ByteSource } from "./byte-source.js";
import type { ChunkLayout } from "./chunk-layout.js";

/** The part of a chunk layout that says where a chunk's plaintext lies in the source. */
export type ChunkPlacement = Pick<ChunkLayout, "numChunks" | "offsetOf" | "plainSizeOf">;

/**
 * Reads chunk `index`'s plaintext: `layout.plainSizeOf(index)` bytes at `layout.offsetOf(index)`.
 * The one place that turns a layout into a source range, so the packer, the codec decision and
 * the chunker read the same bytes whatever the layout (fixed chunks, or chunks of whole samples).
 * With `into` (and a source that has `readInto`) the bytes are read into that buffer.
 *
 * @throws RangeError for an index outside the layout.
 */
export function readChunk(
  source: ByteSource,
  layout: ChunkPlacement,
  index: number,
  into?: Uint8Array,
): Promise<Uint8Array> {
  const length = layout.plainSizeOf(index);
  const offset = layout.offsetOf(index);
  return into === undefined || source.readInto === undefined
    ? source.read(offset, length)
    : source.readInto(offset, length, into);
}
