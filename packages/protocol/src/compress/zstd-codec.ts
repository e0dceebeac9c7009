import { compress, decompress, init } from "@bokuweb/zstd-wasm";
import { CompressionCodec } from "../gen/cyxwiz/data/v1/manifest_pb.js";
import { ok } from "../result.js";
import { type ChunkCodec, checkCompressArg, checkDecompressArgs, decompressFailure } from "./chunk-codec.js";

/**
 * zstd level 1, the fastest regular level. On the MNIST test images in 4 MiB chunks (Node, one
 * core, this library) level 1 gives ratio 4.79 at ~230 MB/s, level 3 (zstd's default) 4.75 at
 * ~170 MB/s, level 6 5.03 at ~45 MB/s. The uploading browser is CPU-bound (MACHINE-NOTES), so the
 * fastest level wins; bench/compression-bench.ts has the other data kinds.
 */
export const ZSTD_LEVEL = 1;

const ZSTD_MAGIC = 0xfd2f_b528;
/** ZSTD_WINDOWLOG_MAX for a 32-bit size_t (wasm32): larger windows make libzstd report an error. */
const ZSTD_WINDOWLOG_MAX = 30;
const DICT_ID_BYTES = [0, 1, 2, 4] as const;

/**
 * Checks that `data` starts with a zstd frame header (RFC 8878 §3.1.1.1) declaring exactly
 * `expectedSize` bytes of content. Returns why not, or undefined when it does.
 *
 * Why this exists: @bokuweb/zstd-wasm's decompress allocates the content size the header
 * declares, so a hostile header could make it allocate gigabytes, and headers libzstd rejects make
 * it allocate an error code as a size. Once the header is known to declare `expectedSize`, the
 * library's allocation is exactly `expectedSize` and libzstd's ZSTD_decompress stops with
 * dstSize_tooSmall rather than write past it. The checks mirror libzstd's
 * ZSTD_getFrameHeader_advanced, so every header accepted here is one libzstd parses without error.
 * Our own frames always declare their size (ZSTD_compress writes it); frames without it are refused.
 */
export function checkZstdHeader(data: Uint8Array, expectedSize: number): string | undefined {
  if (data.length < 5) return `${data.length} bytes are too few for a zstd frame header`;
  const magic = ((data[0] ?? 0) | ((data[1] ?? 0) << 8) | ((data[2] ?? 0) << 16) | ((data[3] ?? 0) << 24)) >>> 0;
  if (magic !== ZSTD_MAGIC) return "the data does not start with a zstd frame";
  const descriptor = data[4] ?? 0;
  if ((descriptor & 0x08) !== 0) return "the frame header sets its reserved bit";
  const singleSegment = (descriptor & 0x20) !== 0;
  const contentSizeFlag = descriptor >> 6;
  const contentSizeBytes = contentSizeFlag === 0 ? (singleSegment ? 1 : 0) : 1 << contentSizeFlag;
  let pos = 5;
  if (!singleSegment) {
    const windowLog = ((data[pos] ?? 0) >> 3) + 10;
    if (data.length > pos && windowLog > ZSTD_WINDOWLOG_MAX) return `the frame's window (2^${windowLog}) is too large`;
    pos += 1;
  }
  pos += DICT_ID_BYTES[descriptor & 3] ?? 0;
  if (data.length < pos + contentSizeBytes) return "the frame header is truncated";
  if (contentSizeBytes === 0) return "the frame does not declare its content size";
  const byteAt = (i: number): number => data[pos + i] ?? 0;
  let declared: number;
  if (contentSizeBytes === 1) declared = byteAt(0);
  else if (contentSizeBytes === 2) declared = (byteAt(0) | (byteAt(1) << 8)) + 256;
  else {
    const low = (byteAt(0) | (byteAt(1) << 8) | (byteAt(2) << 16) | (byteAt(3) << 24)) >>> 0;
    const high =
      contentSizeBytes === 8 ? (byteAt(4) | (byteAt(5) << 8) | (byteAt(6) << 16) | (byteAt(7) << 24)) >>> 0 : 0;
    if (high !== 0) return "the frame declares more than 4 GiB of content";
    declared = low;
  }
  if (declared !== expectedSize) return `the frame declares ${declared} bytes, expected ${expectedSize}`;
  return undefined;
}

/**
 * Loads the zstd codec: @bokuweb/zstd-wasm (libzstd compiled to wasm). In Node it reads its
 * zstd.wasm from disk; in a browser the bundler emits zstd.wasm as an asset (the library's
 * `new URL("./zstd.wasm", import.meta.url)`) and it is fetched once.
 */
export async function createZstdCodec(): Promise<ChunkCodec> {
  await init();
  return {
    codec: CompressionCodec.ZSTD,
    name: "zstd",
    compress(data) {
      checkCompressArg(data);
      return compress(data, ZSTD_LEVEL);
    },
    decompress(data, expectedSize) {
      checkDecompressArgs(data, expectedSize);
      const bad = checkZstdHeader(data, expectedSize);
      if (bad !== undefined) return decompressFailure("zstd", bad);
      let out: Uint8Array;
      try {
        // defaultHeapSize only applies to frames without a declared size, which were refused above.
        out = decompress(data, { defaultHeapSize: expectedSize });
      } catch (e) {
        return decompressFailure("zstd", `corrupt data (${e instanceof Error ? e.message : String(e)})`);
      }
      if (out.length !== expectedSize) {
        return decompressFailure("zstd", `decompressed to ${out.length} bytes, expected ${expectedSize}`);
      }
      return ok(out);
    },
  };
}
