/** Helpers shared by the chunk tests: pack bytes into frames the way a sender does. */
import type { CodecName } from "../compress/index.js";
import { type ChunkCipher, createChunkCipher } from "../crypto/index.js";
import type { CipherParameters, DatasetManifest } from "../gen/cyxwiz/data/v1/manifest_pb.js";
import type { Primitives } from "../primitives/primitives.js";
import { type ByteSource, bytesByteSource } from "./byte-source.js";
import type { PackedChunk } from "./chunk-format.js";
import { chunkToFrame, createChunker } from "./chunker.js";

export interface Packed {
  manifest: DatasetManifest;
  chunks: PackedChunk[];
  frames: Uint8Array[];
  cipher?: ChunkCipher;
}

export async function pack(
  p: Primitives,
  data: Uint8Array,
  options: { chunkSize: number; codec?: CodecName; key?: Uint8Array; extraFlags?: number },
): Promise<Packed> {
  let cipher: ChunkCipher | undefined;
  if (options.key !== undefined) {
    const made = await createChunkCipher(p, options.key);
    if (!made.ok) throw new Error(made.error.message);
    cipher = made.value;
  }
  const chunker = createChunker(p, bytesByteSource(data), {
    chunkSize: options.chunkSize,
    ...(options.codec === undefined ? {} : { codec: options.codec }),
    ...(cipher === undefined ? {} : { cipher }),
    metadata: { name: "test" },
  });
  const chunks: PackedChunk[] = [];
  const frames: Uint8Array[] = [];
  for await (const c of chunker.chunks()) {
    chunks.push(c);
    frames.push(await chunkToFrame(p, c, options.extraFlags ?? 0));
  }
  return { manifest: chunker.manifest(), chunks, frames, ...(cipher === undefined ? {} : { cipher }) };
}

/** Deterministic test bytes: compressible runs mixed with pseudo-random bytes. */
export function testBytes(length: number, seed = 1): Uint8Array {
  const out = new Uint8Array(length);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = (i >> 9) % 3 === 0 ? 0 : x & 0xff;
  }
  return out;
}

/**
 * Encrypts `source` into frames under `key` (with the given cipher parameters, to compare two
 * packings of the same stream), reading `readAhead` chunks ahead: how a sealing pool is driven.
 */
export async function packEncrypted(
  p: Primitives,
  source: ByteSource,
  key: Uint8Array,
  options: { chunkSize: number; parameters?: CipherParameters; readAhead?: number },
) {
  const made = await createChunkCipher(p, key, options.parameters);
  if (!made.ok) throw new Error(made.error.message);
  const chunker = createChunker(p, source, {
    chunkSize: options.chunkSize,
    cipher: made.value,
    readAhead: options.readAhead ?? 3,
    metadata: { name: "test" },
  });
  const frames: Uint8Array[] = [];
  for await (const chunk of chunker.chunks()) frames.push(await chunkToFrame(p, chunk));
  return { frames, manifest: chunker.manifest(), parameters: made.value.parameters };
}
