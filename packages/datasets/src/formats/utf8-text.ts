import type { InputFile } from "../samples/input-file.js";
import { DatasetError } from "./dataset-error.js";
import type { ProgressCounter } from "./progress.js";

/** A piece of a text file, decoded, with the byte offset and line number it starts at. */
export interface TextPiece {
  readonly text: string;
  readonly byteOffset: number;
}

/** Bytes read from a file per step when streaming text. */
export const TEXT_READ_BYTES = 1 << 20;

/**
 * Streams a file as UTF-8 text, `TEXT_READ_BYTES` at a time, so memory stays bounded whatever
 * the file's size. A multi-byte character cut by a read boundary is carried to the next piece.
 * A leading byte-order mark is dropped.
 *
 * @throws DatasetError CYXW_ERR_DS_ENCODING naming the file, line and byte offset of the first
 *   byte that is not UTF-8.
 */
export async function* readUtf8Pieces(file: InputFile, progress?: ProgressCounter): AsyncGenerator<TextPiece> {
  const decoder = new TextDecoder("utf-8", { fatal: true });
  let carry = new Uint8Array(0);
  let carryOffset = 0;
  let linesBefore = 0;
  const size = file.source.size;
  for (let offset = 0; offset < size; ) {
    const read = await file.source.read(offset, Math.min(TEXT_READ_BYTES, size - offset));
    if (read.length === 0)
      throw new DatasetError("CYXW_ERR_DS_TRUNCATED", { file: file.path, byteOffset: offset }, "the file ended early");
    progress?.add(read.length);
    offset += read.length;
    const bytes = carry.length === 0 ? read : concatBytes(carry, read);
    const cut = offset >= size ? bytes.length : completeLength(bytes);
    const whole = bytes.subarray(0, cut);
    let text: string;
    try {
      text = decoder.decode(whole);
    } catch {
      const bad = firstInvalidUtf8(whole);
      const at = Math.max(bad, 0);
      throw new DatasetError(
        "CYXW_ERR_DS_ENCODING",
        { file: file.path, line: linesBefore + countNewlines(whole.subarray(0, at)) + 1, byteOffset: carryOffset + at },
        `the text is not valid UTF-8 (byte 0x${(whole[at] ?? 0).toString(16).padStart(2, "0")}); save the file as UTF-8`,
      );
    }
    // decode() drops a byte-order mark at the start of every call: keep one that is not the file's first bytes.
    if (carryOffset > 0 && whole[0] === 0xef && whole[1] === 0xbb && whole[2] === 0xbf) text = `\uFEFF${text}`;
    linesBefore += countNewlines(whole);
    yield { text, byteOffset: carryOffset };
    carry = bytes.slice(cut);
    carryOffset += cut;
  }
}

function concatBytes(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

/** The length of `bytes` without an incomplete multi-byte sequence at its end. */
function completeLength(bytes: Uint8Array): number {
  const n = bytes.length;
  for (let i = n - 1; i >= 0 && i >= n - 4; i--) {
    const b = bytes[i]!;
    if ((b & 0xc0) === 0x80) continue;
    const need = b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : b >= 0xc0 ? 2 : 1;
    return i + need > n ? i : n;
  }
  return n;
}

function countNewlines(bytes: Uint8Array): number {
  let n = 0;
  for (let i = bytes.indexOf(10); i >= 0; i = bytes.indexOf(10, i + 1)) n++;
  return n;
}

/** The offset of the first byte that breaks UTF-8 (RFC 3629: no overlongs, surrogates or > U+10FFFF), or -1. */
export function firstInvalidUtf8(bytes: Uint8Array): number {
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i]!;
    if (b < 0x80) {
      i++;
      continue;
    }
    let need: number;
    let min: number;
    if (b >= 0xc2 && b <= 0xdf) [need, min] = [1, 0x80];
    else if (b >= 0xe0 && b <= 0xef) [need, min] = [2, 0x800];
    else if (b >= 0xf0 && b <= 0xf4) [need, min] = [3, 0x10000];
    else return i;
    let cp = b & (0x3f >> need);
    for (let k = 1; k <= need; k++) {
      const c = bytes[i + k];
      if (c === undefined || (c & 0xc0) !== 0x80) return i;
      cp = (cp << 6) | (c & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return i;
    i += need + 1;
  }
  return -1;
}
