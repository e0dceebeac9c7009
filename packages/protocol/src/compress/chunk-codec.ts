import { failure, type ProtocolFailure } from "../errors/error-codes.js";
import { CompressionCodec } from "../gen/cyxwiz/data/v1/manifest_pb.js";
import { assertNever, err, type Result } from "../result.js";

/** The codec names the seed's configuration uses (seed §5.2: "zstd, lz4, snappy, none"). */
export type CodecName = "none" | "zstd" | "lz4" | "snappy";

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

const NAMES: Readonly<Record<CodecName, CompressionCodec>> = {
  none: CompressionCodec.NONE,
  zstd: CompressionCodec.ZSTD,
  lz4: CompressionCodec.LZ4,
  snappy: CompressionCodec.SNAPPY,
};

const VALID_NAMES = Object.keys(NAMES).join(", ");

/**
 * The manifest codec for a configuration name (seed §5.2's `compression_codec`). Names are exact
 * and lower case.
 *
 * @throws RangeError for any other name; the message lists the valid ones.
 * @example codecFromName("zstd") === CompressionCodec.ZSTD
 */
export function codecFromName(name: string): CompressionCodec {
  if (Object.hasOwn(NAMES, name)) return NAMES[name as CodecName];
  throw new RangeError(`compression codec name must be one of ${VALID_NAMES}, got ${JSON.stringify(name)}`);
}

/**
 * The configuration name of a manifest codec.
 *
 * @throws RangeError for COMPRESSION_CODEC_UNSPECIFIED (never valid in a manifest) or a value
 *   this build does not know.
 */
export function codecName(codec: CompressionCodec): CodecName {
  switch (codec) {
    case CompressionCodec.NONE:
      return "none";
    case CompressionCodec.ZSTD:
      return "zstd";
    case CompressionCodec.LZ4:
      return "lz4";
    case CompressionCodec.SNAPPY:
      return "snappy";
    case CompressionCodec.UNSPECIFIED:
      throw new RangeError("compression codec is UNSPECIFIED: a manifest must name its codec");
    default:
      return unknownCodec(codec);
  }
}

function unknownCodec(codec: never): never {
  if (typeof codec === "number") throw new RangeError(`unknown compression codec ${String(codec)}`);
  return assertNever(codec, "compression codec");
}

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
