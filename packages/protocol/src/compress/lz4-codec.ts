/// <reference path="./lz4js.d.ts" />
import lz4js from "lz4js";
import { CompressionCodec } from "../gen/cyxwiz/data/v1/manifest_pb.js";
import { ok } from "../result.js";
import { type ChunkCodec, checkCompressArg, checkDecompressArgs, decompressFailure } from "./chunk-codec.js";

const LZ4_MAGIC = 0x184d_2204;
const FLG_VERSION_MASK = 0xc0;
const FLG_VERSION_01 = 0x40;
const FLG_BLOCK_CHECKSUM = 0x10;
const FLG_CONTENT_SIZE = 0x08;
const FLG_CONTENT_CHECKSUM = 0x04;
const FLG_RESERVED = 0x02;
const FLG_DICT_ID = 0x01;
const BD_RESERVED = 0x8f;
const MIN_MATCH = 4;

function u32le(data: Uint8Array, pos: number): number {
  return (
    ((data[pos] ?? 0) | ((data[pos + 1] ?? 0) << 8) | ((data[pos + 2] ?? 0) << 16) | ((data[pos + 3] ?? 0) << 24)) >>> 0
  );
}

/**
 * Walks one LZ4 block's sequences without copying anything (LZ4 block format), adding the bytes
 * it would produce to `produced`. Returns the new total, or why the block is invalid.
 */
function scanBlock(data: Uint8Array, start: number, end: number, produced: number, limit: number): number | string {
  let pos = start;
  let out = produced;
  while (pos < end) {
    const token = data[pos++] ?? 0;
    let literals = token >> 4;
    if (literals === 15) {
      let more: number;
      do {
        if (pos >= end) return "a literal length runs past its block";
        more = data[pos++] ?? 0;
        literals += more;
      } while (more === 255);
    }
    if (literals > end - pos) return "literals run past their block";
    pos += literals;
    out += literals;
    if (out > limit) return `the frame expands beyond ${limit} bytes`;
    if (pos >= end) break; // the last sequence of a block has literals only
    if (end - pos < 2) return "a match offset runs past its block";
    const offset = (data[pos] ?? 0) | ((data[pos + 1] ?? 0) << 8);
    pos += 2;
    if (offset === 0 || offset > out) return "a match refers to bytes before the start of the data";
    let matchLength = token & 15;
    if (matchLength === 15) {
      let more: number;
      do {
        if (pos >= end) return "a match length runs past its block";
        more = data[pos++] ?? 0;
        matchLength += more;
      } while (more === 255);
    }
    out += matchLength + MIN_MATCH;
    if (out > limit) return `the frame expands beyond ${limit} bytes`;
  }
  return out;
}

/**
 * Checks that `data` is exactly one LZ4 frame (LZ4 frame format 1.6.x) that decodes to exactly
 * `expectedSize` bytes, every match within the bytes already produced. Returns why not, or
 * undefined when it is.
 *
 * Why this exists: lz4js decodes without any check. It writes into the buffer it is given and
 * silently drops what does not fit, so a bomb or a short stream would look like success, and a
 * hostile block length makes it spin on bytes past the end of its input. Only frames this scan
 * accepts reach lz4js, and then its output is exactly `expectedSize` bytes and its work is
 * bounded by the input and `expectedSize`. Frame features lz4js cannot decode (dictionary ids,
 * block checksums) are refused; lz4js itself never writes them.
 */
export function checkLz4Frame(data: Uint8Array, expectedSize: number): string | undefined {
  if (data.length < 7) return `${data.length} bytes are too few for an LZ4 frame header`;
  if (u32le(data, 0) !== LZ4_MAGIC) return "the data does not start with an LZ4 frame";
  const flags = data[4] ?? 0;
  if ((flags & FLG_VERSION_MASK) !== FLG_VERSION_01) return "the frame's version is not 01";
  if ((flags & (FLG_RESERVED | FLG_DICT_ID | FLG_BLOCK_CHECKSUM)) !== 0) {
    return "the frame uses a reserved bit, a dictionary id or block checksums";
  }
  const bd = data[5] ?? 0;
  const blockSizeId = (bd >> 4) & 7;
  if ((bd & BD_RESERVED) !== 0 || blockSizeId < 4) return "the frame's block descriptor is invalid";
  const maxBlockBytes = 1 << (2 * blockSizeId + 8); // 64 KiB, 256 KiB, 1 MiB, 4 MiB
  let pos = 6;
  if ((flags & FLG_CONTENT_SIZE) !== 0) {
    if (data.length < pos + 9) return "the frame header is truncated";
    if (u32le(data, pos + 4) !== 0 || u32le(data, pos) !== expectedSize) {
      return `the frame's declared content size is not ${expectedSize} bytes`;
    }
    pos += 8;
  }
  pos += 1; // header checksum (lz4js does not check it; the exact-size scan below matters more)
  let produced = 0;
  for (;;) {
    if (data.length - pos < 4) return "the frame is truncated";
    const word = u32le(data, pos);
    pos += 4;
    if (word === 0) break; // end mark
    const size = word & 0x7fff_ffff;
    if (size > maxBlockBytes) return `a block of ${size} bytes exceeds the frame's maximum of ${maxBlockBytes}`;
    if (size > data.length - pos) return "the frame is truncated";
    if (word >>> 31 === 1) {
      produced += size; // stored uncompressed
      if (produced > expectedSize) return `the frame expands beyond ${expectedSize} bytes`;
    } else {
      const scanned = scanBlock(data, pos, pos + size, produced, expectedSize);
      if (typeof scanned === "string") return scanned;
      produced = scanned;
    }
    pos += size;
  }
  if ((flags & FLG_CONTENT_CHECKSUM) !== 0) pos += 4;
  if (pos > data.length) return "the frame is truncated";
  if (pos < data.length) return `${data.length - pos} bytes follow the frame`;
  if (produced !== expectedSize) return `the frame decodes to ${produced} bytes, expected ${expectedSize}`;
  return undefined;
}

/**
 * Creates the LZ4 codec: lz4js, pure JavaScript (the LZ4 frame format, 4 MiB linked blocks). Every
 * frame is checked by {@link checkLz4Frame} before lz4js decodes it.
 */
export async function createLz4Codec(): Promise<ChunkCodec> {
  return {
    codec: CompressionCodec.LZ4,
    name: "lz4",
    compress(data) {
      checkCompressArg(data);
      return lz4js.compress(data);
    },
    decompress(data, expectedSize) {
      checkDecompressArgs(data, expectedSize);
      const bad = checkLz4Frame(data, expectedSize);
      if (bad !== undefined) return decompressFailure("lz4", bad);
      const out = new Uint8Array(expectedSize);
      let produced: number;
      try {
        produced = lz4js.decompressFrame(data, out);
      } catch (e) {
        return decompressFailure("lz4", `corrupt data (${e instanceof Error ? e.message : String(e)})`);
      }
      if (produced !== expectedSize) {
        return decompressFailure("lz4", `decompressed to ${produced} bytes, expected ${expectedSize}`);
      }
      return ok(out);
    },
  };
}
