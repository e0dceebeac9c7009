import { CompressionCodec } from "../gen/cyxwiz/data/v1/manifest_pb.js";
import { ok } from "../result.js";
import {
  type ChunkCodec,
  type CodecName,
  checkCompressArg,
  checkDecompressArgs,
  codecFromName,
  codecName,
  decompressFailure,
} from "./chunk-codec.js";

/** Codec NONE: the chunk is stored as is. Both directions return the very bytes they are given. */
const noneCodec: ChunkCodec = {
  codec: CompressionCodec.NONE,
  name: "none",
  compress(data) {
    checkCompressArg(data);
    return data;
  },
  decompress(data, expectedSize) {
    checkDecompressArgs(data, expectedSize);
    if (data.length !== expectedSize) {
      return decompressFailure("none", `the chunk holds ${data.length} bytes, expected ${expectedSize}`);
    }
    return ok(data);
  },
};

// Each library is imported on first use, so a page that never meets an lz4 chunk never loads lz4.
const factories: Readonly<Record<CodecName, () => Promise<ChunkCodec>>> = {
  none: async () => noneCodec,
  zstd: async () => (await import("./zstd-codec.js")).createZstdCodec(),
  lz4: async () => (await import("./lz4-codec.js")).createLz4Codec(),
  snappy: async () => (await import("./snappy-codec.js")).createSnappyCodec(),
};

const loaded = new Map<CodecName, Promise<ChunkCodec>>();

/**
 * The codec a manifest names (or a configuration name for it), loaded once and shared: the first
 * call loads the library (zstd and Snappy compile their wasm then); later calls return the same
 * instance. A load that fails is not cached, so it can be tried again.
 *
 * What each codec puts on the wire, one compressed unit per chunk:
 * - `zstd`: one zstd frame (RFC 8878) that declares its content size, written at level 1 (the
 *   fastest; see zstd-codec.ts for the measurements). Decompression refuses frames without a
 *   declared size. Library: @bokuweb/zstd-wasm (libzstd in wasm).
 * - `lz4`: one LZ4 frame (LZ4 frame format, 4 MiB linked blocks, no checksums). Library: lz4js.
 * - `snappy`: raw Snappy (the block format with its length preamble, no framing format).
 *   Library: snappy-wasm (Rust `snap` in wasm).
 * - `none`: the chunk itself.
 *
 * @throws RangeError (as a rejected promise) for COMPRESSION_CODEC_UNSPECIFIED, an unknown codec
 *   value, or an unknown name.
 * @example
 * const zstd = await loadCodec("zstd");
 * const packed = zstd.compress(chunk);
 * const back = zstd.decompress(packed, chunk.length); // { ok: true, value } or CYXW_ERR_DECOMPRESS
 */
export async function loadCodec(codec: CompressionCodec | CodecName): Promise<ChunkCodec> {
  const name = codecName(typeof codec === "string" ? codecFromName(codec) : codec);
  let pending = loaded.get(name);
  if (pending === undefined) {
    pending = factories[name]();
    loaded.set(name, pending);
    pending.catch(() => loaded.delete(name));
  }
  return pending;
}
