import { gunzipSync } from "fflate";
import type { InputFile } from "../samples/input-file.js";
import { DatasetError } from "./dataset-error.js";
import type { ReadLimits } from "./format-reader.js";
import type { ProgressCounter } from "./progress.js";
import { MAGIC, startsWith } from "./sniff.js";

/**
 * All of a file's bytes (for formats that must be read whole: zip, gzipped IDX), refusing one
 * larger than `limits.maxInMemoryBytes`.
 */
export async function readWholeFile(
  file: InputFile,
  limits: ReadLimits,
  progress?: ProgressCounter,
): Promise<Uint8Array> {
  const size = file.source.size;
  if (size === 0) throw new DatasetError("CYXW_ERR_DS_EMPTY", { file: file.path }, "the file is empty (0 bytes)");
  if (size > limits.maxInMemoryBytes) {
    throw new DatasetError(
      "CYXW_ERR_DS_BAD_OPTION",
      { file: file.path },
      `the file is ${size} bytes; this format is read whole and the limit is ${limits.maxInMemoryBytes}`,
    );
  }
  const out = new Uint8Array(size);
  for (let offset = 0; offset < size; ) {
    const part = await file.source.read(offset, Math.min(1 << 22, size - offset));
    if (part.length === 0)
      throw new DatasetError("CYXW_ERR_DS_TRUNCATED", { file: file.path, byteOffset: offset }, "the file ended early");
    out.set(part, offset);
    offset += part.length;
    progress?.add(part.length);
  }
  return out;
}

/** The bytes themselves, or their gunzipped content when they are gzip (fflate). */
export function maybeGunzip(file: InputFile, bytes: Uint8Array, limits: ReadLimits): Uint8Array {
  if (!startsWith(bytes, MAGIC.gzip)) return bytes;
  // ISIZE (the last 4 bytes) is the uncompressed size mod 2^32: refuse a bomb before inflating.
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.length >= 18 && v.getUint32(bytes.length - 4, true) > limits.maxInMemoryBytes) {
    throw new DatasetError(
      "CYXW_ERR_DS_BAD_OPTION",
      { file: file.path },
      `the gzip content is larger than the in-memory limit of ${limits.maxInMemoryBytes} bytes`,
    );
  }
  try {
    return gunzipSync(bytes);
  } catch (e) {
    throw new DatasetError(
      "CYXW_ERR_DS_TRUNCATED",
      { file: file.path },
      `the gzip stream is damaged or cut short (${(e as Error).message})`,
      { cause: e },
    );
  }
}
