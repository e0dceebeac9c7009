import { loadSnappyWasm } from "#snappy-wasm-loader";
import { CompressionCodec } from "../gen/cyxwiz/data/v1/manifest_pb.js";
import { ok } from "../result.js";
import { type ChunkCodec, checkCompressArg, checkDecompressArgs, decompressFailure } from "./chunk-codec.js";

/**
 * Checks that raw Snappy data starts with the preamble (a little-endian base-128 varint of at most
 * 5 bytes, per the Snappy format description) declaring exactly `expectedSize` bytes. Returns why
 * not, or undefined when it does.
 *
 * Why this exists: snappy-wasm allocates the length the preamble declares before decoding, so a
 * hostile preamble could make it allocate up to 4 GiB. Once it declares `expectedSize`, `snap`
 * decodes into exactly that many bytes and fails if the stream would produce more or fewer.
 */
export function checkSnappyPreamble(data: Uint8Array, expectedSize: number): string | undefined {
  let declared = 0;
  for (let i = 0; i < 5; i++) {
    const byte = data[i];
    if (byte === undefined) return "the data ends inside its length preamble";
    declared += (byte & 0x7f) * 2 ** (7 * i);
    if (byte < 0x80) {
      return declared === expectedSize ? undefined : `the data declares ${declared} bytes, expected ${expectedSize}`;
    }
  }
  return "the length preamble is longer than 5 bytes";
}

/**
 * Loads the Snappy codec: snappy-wasm (Rust `snap` compiled to wasm), raw Snappy format without
 * framing or checksums, since a chunk is compressed whole and SHA-256 covers it anyway (seed §4.2).
 */
export async function createSnappyCodec(): Promise<ChunkCodec> {
  const snappy = await loadSnappyWasm();
  return {
    codec: CompressionCodec.SNAPPY,
    name: "snappy",
    compress(data) {
      checkCompressArg(data);
      return snappy.compressRaw(data);
    },
    decompress(data, expectedSize) {
      checkDecompressArgs(data, expectedSize);
      const bad = checkSnappyPreamble(data, expectedSize);
      if (bad !== undefined) return decompressFailure("snappy", bad);
      let out: Uint8Array;
      try {
        out = snappy.decompressRaw(data);
      } catch (e) {
        return decompressFailure("snappy", `corrupt data (${e instanceof Error ? e.message : String(e)})`);
      }
      if (out.length !== expectedSize) {
        return decompressFailure("snappy", `decompressed to ${out.length} bytes, expected ${expectedSize}`);
      }
      return ok(out);
    },
  };
}
