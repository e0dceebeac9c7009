import { failure, type ProtocolFailure } from "../errors/error-codes.js";
import type { CompressionCodec } from "../gen/cyxwiz/data/v1/manifest_pb.js";
import { err, type Result } from "../result.js";
import type { CodecName } from "../vocab/codecs.js";

// The codec list and its mapping to the manifest enum live in src/vocab/codecs.ts; this module
// keeps the names it has always exported.
export { type CodecName, codecFromName, codecName } from "../vocab/codecs.js";

/**
 * One chunk-compression codec, ready to use: `compress` and `decompress` are synchronous once
 * {@link loadCodec} has resolved. A chunk is compressed whole, before encryption; the receiver
 * decompresses after decrypting and before checking the Merkle proof (seed §5.4, steps 4-6).
 */
export interface ChunkCodec {
  /** The manifest's codec (src/gen/cyxwiz/data/v1/manifest_pb.ts). */
  readonly codec: CompressionCodec;
  readonly name: CodecName;
  /**
   * Compresses one whole chunk. The output is self-contained: it decompresses with no other chunk.
   *
   * @throws TypeError when `data` is not a Uint8Array.
   */
  compress(data: Uint8Array): Uint8Array;
  /**
   * Decompresses one chunk whose plain size the manifest declares. Hostile input is expected:
   * the result is CYXW_ERR_DECOMPRESS unless the output is exactly `expectedSize` bytes, no
   * buffer larger than `expectedSize` (plus a small constant) is ever allocated, and work stops
   * once the output would exceed `expectedSize`, so a decompression bomb costs little.
   * Bad data never throws.
   *
   * @throws TypeError when `data` is not a Uint8Array; RangeError when `expectedSize` is not an
   *   integer in 0..{@link MAX_EXPECTED_SIZE} (a caller's bug: the manifest bounds chunk sizes).
   */
  decompress(data: Uint8Array, expectedSize: number): Result<Uint8Array, ProtocolFailure>;
}

/**
 * The largest plain chunk `decompress` accepts: 2 GiB - 1, the most a wasm32 heap can hold next to
 * its input. Real chunks are far smaller (4 MiB by default, ARCHITECTURE §4).
 */
export const MAX_EXPECTED_SIZE = 0x7fff_ffff;

/** Checks the arguments every codec's `decompress` receives (a bug, not bad data, when wrong). */
export function checkDecompressArgs(data: Uint8Array, expectedSize: number): void {
  if (!(data instanceof Uint8Array)) throw new TypeError("decompress: data must be a Uint8Array");
  if (!Number.isInteger(expectedSize) || expectedSize < 0 || expectedSize > MAX_EXPECTED_SIZE) {
    throw new RangeError(`decompress: expectedSize must be an integer in 0..${MAX_EXPECTED_SIZE}, got ${expectedSize}`);
  }
}

/** Checks the argument every codec's `compress` receives. */
export function checkCompressArg(data: Uint8Array): void {
  if (!(data instanceof Uint8Array)) throw new TypeError("compress: data must be a Uint8Array");
}

/** The one failure decompression reports, whatever went wrong (error catalogue). */
export function decompressFailure(name: CodecName, why: string): Result<never, ProtocolFailure> {
  return err(failure("CYXW_ERR_DECOMPRESS", `${name}: ${why}`));
}
