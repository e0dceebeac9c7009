import { CompressionCodec } from "../gen/cyxwiz/data/v1/manifest_pb.js";
import { assertNever } from "../result.js";

/** One chunk-compression codec: its configuration name, its manifest value and how people see it. */
export interface CodecInfo {
  /** The configuration name (seed §5.2's `compression_codec`), exact and lower case. */
  readonly name: string;
  /** The manifest's value (src/gen/cyxwiz/data/v1/manifest_pb.ts). */
  readonly proto: CompressionCodec;
  /** What the dashboard's select shows. */
  readonly label: string;
  /** One line for help texts. */
  readonly description: string;
}

/**
 * The compression codecs (seed §5.2: "zstd, lz4, snappy, none"), in the order they are offered.
 * The one list: the gateway's store, the client's saved state, the CLI and the dashboard read it.
 * The SQL domain `codec` (apps/gateway/src/store/migrations/0001_init.sql) repeats it, and a
 * gateway test checks the two agree.
 */
export const CODECS = [
  { name: "none", proto: CompressionCodec.NONE, label: "None", description: "chunks stored as they are" },
  { name: "zstd", proto: CompressionCodec.ZSTD, label: "zstd", description: "Zstandard: the best ratio" },
  { name: "lz4", proto: CompressionCodec.LZ4, label: "LZ4", description: "LZ4 frames: the fastest" },
  { name: "snappy", proto: CompressionCodec.SNAPPY, label: "Snappy", description: "raw Snappy: fast" },
] as const satisfies readonly CodecInfo[];

/** One entry of {@link CODECS}, with its literal name. */
export type CodecEntry = (typeof CODECS)[number];
/** A codec's configuration name. */
export type CodecName = (typeof CODECS)[number]["name"];

/** The codec names, in the order of {@link CODECS}. */
export const CODEC_NAMES: readonly CodecName[] = CODECS.map((c) => c.name);

/** Whether `name` is a codec name (exact, lower case). */
export function isCodecName(name: unknown): name is CodecName {
  return typeof name === "string" && CODEC_NAMES.includes(name as CodecName);
}

/** The entry of {@link CODECS} for a codec name. */
export function codecInfo(name: CodecName): CodecEntry {
  return CODECS.find((c) => c.name === name)!;
}

/**
 * The manifest codec for a configuration name (seed §5.2's `compression_codec`). Names are exact
 * and lower case.
 *
 * @throws RangeError for any other name; the message lists the valid ones.
 * @example codecFromName("zstd") === CompressionCodec.ZSTD
 */
export function codecFromName(name: string): CompressionCodec {
  if (isCodecName(name)) return codecInfo(name).proto;
  throw new RangeError(`compression codec name must be one of ${CODEC_NAMES.join(", ")}, got ${JSON.stringify(name)}`);
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
    case CompressionCodec.ZSTD:
    case CompressionCodec.LZ4:
    case CompressionCodec.SNAPPY:
      return CODECS.find((c) => c.proto === codec)!.name;
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
