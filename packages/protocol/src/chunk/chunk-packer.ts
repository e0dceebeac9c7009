import { type ChunkCodec, type CodecName, loadCodec, worthCompressing } from "../compress/index.js";
import type { ChunkCipher } from "../crypto/index.js";
import { FrameFlag } from "../frame/frame-format.js";
import type { Primitives } from "../primitives/primitives.js";
import type { ByteSource } from "./byte-source.js";
import type { PackedChunk } from "./chunk-format.js";
import { type ChunkLayout, transferChunkLayout } from "./chunk-layout.js";
import { type ChunkPlacement, readChunk } from "./chunk-read.js";

/** How a {@link ChunkPacker} turns plaintext into stored chunks. */
export type ChunkPackerOptions = ChunkTransform &
  (
    | {
        /** Plaintext bytes per chunk, 1..MAX_CHUNK_SIZE (with `plainSizes`: the most any chunk holds). */
        readonly chunkSize: number;
        /**
         * For a dataset of samples (docs/dataset-formats.md): each chunk's plaintext size, cut at
         * sample boundaries, adding up to the source's size. Absent: fixed chunks of `chunkSize`.
         */
        readonly plainSizes?: readonly number[];
      }
    | {
        /** The source's chunks, built by the caller (chunk-layout.ts); its total must be the source's size. */
        readonly layout: ChunkLayout;
      }
  );

/** What a packer does to each chunk's plaintext. */
export interface ChunkTransform {
  /**
   * The dataset's codec, as {@link decideCodec} returned it; absent for codec NONE. A chunk that
   * does not shrink is still stored raw (`compressed = false`), as createChunker does.
   */
  readonly codec?: ChunkCodec;
  /** Encrypts every chunk when given (ARCHITECTURE §4; the suite its parameters name, docs/crypto.md). */
  readonly cipher?: ChunkCipher;
}

/** Produces any chunk of a source by its index, in any order, as often as asked. */
export interface ChunkPacker {
  /** Chunks in the source (the layout's count; 1 for an empty source). */
  readonly numChunks: number;
  /** The layout's largest chunk size (chunk-layout.ts `ChunkLayout.chunkSize`). */
  readonly chunkSize: number;
  /** The source's layout in chunks: each chunk's offset, plain size and the stored sizes it can have. */
  readonly layout: ChunkLayout;
  /**
   * Reads, compresses?, encrypts? and hashes chunk `index`. With the same source bytes, codec
   * and cipher (same dataset key and cipher parameters) the result is byte-identical every time,
   * so an upload can resume at any chunk without staging anything (docs/upload-protocol.md §3):
   * re-sealing identical plaintext under the same (index, last) nonce gives the same ciphertext
   * and reveals nothing new. The caller must not pack a chunk whose source bytes changed under a
   * cipher that already sealed it: that would reuse an AES-GCM nonce for different plaintext.
   *
   * @throws RangeError for an index outside 0..numChunks-1.
   */
  pack(index: number): Promise<PackedChunk>;
}

/**
 * Random-access chunk production (read → compress? → encrypt? → SHA-256, seed §5.3 and
 * ARCHITECTURE §4): the same chunks {@link createChunker} yields in order, byte for byte, when
 * given the codec {@link decideCodec} chose and the same cipher, but one at a time by index. The
 * manifest is the caller's to assemble from the chunks it packed.
 *
 * @throws RangeError for a chunk size outside 1..MAX_CHUNK_SIZE, plain sizes that do not describe
 *   the source (chunk-layout.ts `sampleChunkLayout`), or a layout whose total is not the source's
 *   size.
 * @example
 * const layout = fixedChunkLayout(chunkSize, source.size);
 * const codec = await decideCodec(source, layout, "zstd");
 * const packer = createChunkPacker(primitives, source, { layout, ...(codec ? { codec } : {}) });
 * for (const i of missingChunks) socket.send(await chunkToFrame(primitives, await packer.pack(i), FrameFlag.REQUIRES_ACK));
 */
export function createChunkPacker(
  primitives: Primitives,
  source: ByteSource,
  options: ChunkPackerOptions,
): ChunkPacker {
  const layout =
    "layout" in options
      ? options.layout
      : transferChunkLayout({ chunkSize: options.chunkSize, totalSize: source.size, plainSizes: options.plainSizes });
  if (layout.totalSize !== source.size) {
    throw new RangeError(`the layout covers ${layout.totalSize} bytes; the source has ${source.size}`);
  }
  const { chunkSize, numChunks } = layout;
  const { codec, cipher } = options;
  // Plaintext buffers a sealing worker handed back, read into again (ByteSource.readInto) instead
  // of allocating a fresh chunk-sized buffer for every read.
  const spares: Uint8Array[] = [];
  const takeSpare = (length: number): Uint8Array | undefined => {
    const i = spares.findIndex((s) => s.length >= length);
    return i < 0 ? undefined : spares.splice(i, 1)[0];
  };
  return {
    numChunks,
    chunkSize,
    layout,
    async pack(index) {
      const length = layout.plainSizeOf(index); // throws RangeError for an index outside the layout
      const last = index === numChunks - 1;
      const spare = source.readInto === undefined ? undefined : takeSpare(length);
      const plain = await readChunk(source, layout, index, spare);
      const plainSize = plain.length; // read before sealing may detach the buffer
      let body = plain;
      let compressed = false;
      if (codec !== undefined) {
        const packed = codec.compress(plain);
        if (packed.length < plain.length) {
          body = packed;
          compressed = true;
        }
      }
      let storedParts: readonly Uint8Array[] = [body];
      let storedSize = body.length;
      let digest: Uint8Array;
      let storedCrc: number | undefined;
      if (cipher === undefined) digest = await primitives.sha256(body);
      else {
        // The plaintext is ours to give up when the codec made it or the source reads fresh buffers.
        const consume = compressed || source.freshReads === true;
        const sealed = await cipher.sealAndHash(index, last, body, { consume });
        ({ sealed: storedParts, size: storedSize, digest, crc: storedCrc } = sealed);
        if (sealed.spare !== undefined && consume && spares.length < 4) spares.push(sealed.spare);
      }
      const flags =
        (compressed ? FrameFlag.COMPRESSED : 0) |
        (cipher === undefined ? 0 : FrameFlag.ENCRYPTED) |
        (last ? FrameFlag.LAST_FRAME : 0);
      const chunk = { index, last, plainSize, compressed, storedParts, storedSize, digest, flags };
      return storedCrc === undefined ? chunk : { ...chunk, storedCrc };
    },
  };
}

/**
 * The codec a dataset is stored with, decided on its first chunk before the transfer is
 * initiated (docs/upload-protocol.md §1, docs/wire-format.md "Compressed chunks"): loads `name`,
 * compresses chunk 0 of `layout` (or of fixed chunks of `layout` bytes), and keeps the codec only if that chunk shrinks at least 1.1x
 * (`worthCompressing`); otherwise, and for "none", the dataset is stored uncompressed.
 *
 * @returns the loaded codec, or `undefined` for codec NONE.
 * @throws RangeError (as a rejected promise) for an unknown codec name or a chunk size outside
 *   1..MAX_CHUNK_SIZE.
 */
export async function decideCodec(
  source: ByteSource,
  layout: ChunkPlacement | number,
  name: CodecName,
): Promise<ChunkCodec | undefined> {
  const chunks =
    typeof layout === "number" ? transferChunkLayout({ chunkSize: layout, totalSize: source.size }) : layout;
  if (name === "none") return undefined;
  const codec = await loadCodec(name);
  const first = await readChunk(source, chunks, 0);
  return worthCompressing(first.length, codec.compress(first).length) ? codec : undefined;
}
