import type { CodecName } from "../compress/index.js";
import type { ChunkCipher } from "../crypto/index.js";
import { encodeFrame, encodeFrameParts, type FrameParts } from "../frame/frame-codec.js";
import { CompressionCodec, type DatasetManifest, type SampleLayout } from "../gen/cyxwiz/data/v1/manifest_pb.js";
import type { Primitives } from "../primitives/primitives.js";
import type { ByteSource } from "./byte-source.js";
import { DEFAULT_CHUNK_SIZE, type PackedChunk } from "./chunk-format.js";
import { transferChunkLayout } from "./chunk-layout.js";
import { createChunkPacker, decideCodec } from "./chunk-packer.js";
import { createManifestBuilder, type ManifestFields } from "./manifest-builder.js";

export interface ChunkerOptions {
  /** Plaintext bytes per chunk (default 4 MiB); with `plainSizes`, the most any chunk holds. */
  readonly chunkSize?: number;
  /** Chunks of whole samples: each chunk's plaintext size (chunk-packer.ts). Absent: fixed chunks. */
  readonly plainSizes?: readonly number[];
  /** What the samples are, for a dataset of samples: the manifest is then format_version 2. */
  readonly samples?: SampleLayout;
  /** Compression, opt-in per dataset (default "none"). Switched off automatically when the first chunk shrinks less than 1.1x. */
  readonly codec?: CodecName;
  /** Encrypts every chunk when given (ARCHITECTURE §4; the suite its parameters name, docs/crypto.md). */
  readonly cipher?: ChunkCipher;
  /** The seed's dataset metadata (§5.2 DatasetMetadata); sizes, counts and the root are filled in. */
  readonly metadata: ManifestFields["metadata"];
  /**
   * Chunks read and sealed ahead of the one being consumed (default 1). Raise it to the sealing
   * pool's size when the primitives seal on worker threads. Memory: (readAhead + 1) chunks.
   */
  readonly readAhead?: number;
  /** Called after each chunk with plaintext bytes done and the total. */
  readonly onProgress?: (done: number, total: number) => void;
}

export interface Chunker {
  /** The chunks in order. Memory is bounded: one chunk in work and `readAhead` being read ahead. */
  chunks(): AsyncGenerator<PackedChunk, void, undefined>;
  /**
   * The manifest, complete once `chunks()` has run to its end.
   * @throws Error if called before every chunk was produced.
   */
  manifest(): DatasetManifest;
}

/**
 * Turns a byte source into chunks (chunk → compress? → encrypt? → SHA-256), building the
 * manifest (sizes, digests, Merkle root, codec, cipher parameters) as it goes (seed §5.3 step 5
 * needs the root; ARCHITECTURE §4).
 *
 * @throws RangeError for a chunk size outside 1..MAX_CHUNK_SIZE.
 * @example
 * const chunker = createChunker(primitives, blobByteSource(file), { metadata: { name: "mnist" } });
 * for await (const chunk of chunker.chunks()) socket.send(await chunkToFrame(primitives, chunk));
 * const manifest = chunker.manifest();
 */
export function createChunker(primitives: Primitives, source: ByteSource, options: ChunkerOptions): Chunker {
  const layout = transferChunkLayout({
    chunkSize: options.chunkSize ?? DEFAULT_CHUNK_SIZE,
    totalSize: source.size,
    plainSizes: options.plainSizes,
  });
  const readAhead = options.readAhead ?? 1;
  if (!Number.isInteger(readAhead) || readAhead < 0 || readAhead > 64) {
    throw new RangeError(`readAhead must be an integer from 0 to 64, got ${readAhead}`);
  }
  const builder = createManifestBuilder(layout.numChunks);
  let done: DatasetManifest | undefined;

  async function* chunks(): AsyncGenerator<PackedChunk, void, undefined> {
    // The rule: compression is dropped for the whole dataset when its first chunk shrinks
    // less than ~1.1x (random or already-compressed data only costs time).
    const codec = await decideCodec(source, layout, options.codec ?? "none");
    const packer = createChunkPacker(primitives, source, {
      layout,
      ...(codec === undefined ? {} : { codec }),
      ...(options.cipher === undefined ? {} : { cipher: options.cipher }),
    });
    const { numChunks } = packer;
    // Chunks packed ahead of the one consumed: with a sealing pool, one per worker plus one keeps
    // every core busy while the consumer frames and writes.
    const ahead: Promise<PackedChunk>[] = [];
    let queued = 0;
    for (let index = 0; index < numChunks; index++) {
      while (queued < numChunks && ahead.length <= readAhead) {
        const packing = packer.pack(queued++);
        packing.catch(() => {}); // awaited in turn below; a failure ahead must not go unhandled meanwhile
        ahead.push(packing);
      }
      const chunk = await ahead.shift()!;
      builder.add(index, chunk);
      options.onProgress?.(layout.offsetOf(index) + chunk.plainSize, source.size);
      yield chunk;
    }
    done = builder.build({
      metadata: options.metadata,
      totalSize: source.size,
      chunkSize: layout.chunkSize,
      codec: codec?.codec ?? CompressionCodec.NONE,
      ...(options.cipher === undefined ? {} : { cipher: options.cipher.parameters }),
      createdAt: new Date(),
      ...(options.samples === undefined ? {} : { samples: options.samples }),
    });
  }

  return {
    chunks,
    manifest() {
      if (done === undefined)
        throw new Error("the manifest is complete only after every chunk has been read from chunks()");
      return done;
    },
  };
}

/**
 * The CYXW frame carrying one chunk (docs/wire-format.md): payload = the stored bytes,
 * sequence = chunk index, checksum = the chunk digest the chunker already computed. Written into
 * `into` when it is large enough (see encodeFrame).
 */
export function chunkToFrame(
  primitives: Primitives,
  chunk: PackedChunk,
  extraFlags = 0,
  into?: Uint8Array,
): Promise<Uint8Array> {
  return encodeFrame(
    primitives,
    {
      sequence: chunk.index,
      flags: chunk.flags | extraFlags,
      payload: chunk.storedParts,
      checksum: chunk.digest,
      ...(chunk.storedCrc === undefined ? {} : { payloadCrc: chunk.storedCrc }),
    },
    into,
  );
}

/** Like {@link chunkToFrame}, as header, payload and trailer, for writers that take pieces (no payload copy). */
export function chunkToFrameParts(primitives: Primitives, chunk: PackedChunk, extraFlags = 0): Promise<FrameParts> {
  return encodeFrameParts(primitives, {
    sequence: chunk.index,
    flags: chunk.flags | extraFlags,
    payload: chunk.storedParts,
    checksum: chunk.digest,
    ...(chunk.storedCrc === undefined ? {} : { payloadCrc: chunk.storedCrc }),
  });
}
