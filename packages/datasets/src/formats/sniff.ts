import { firstInvalidUtf8 } from "./utf8-text.js";

/** The lower-case extension of a path (`"gz"` for `a.tar.gz`), or "". */
export function extensionOf(path: string): string {
  const base = path.slice(path.lastIndexOf("/") + 1);
  const dot = base.lastIndexOf(".");
  return dot <= 0 ? "" : base.slice(dot + 1).toLowerCase();
}

/** True when `bytes` starts with `magic`. */
export function startsWith(bytes: Uint8Array, magic: readonly number[]): boolean {
  return magic.length <= bytes.length && magic.every((b, i) => bytes[i] === b);
}

export const MAGIC = {
  parquet: [0x50, 0x41, 0x52, 0x31],
  npy: [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59],
  zip: [0x50, 0x4b, 0x03, 0x04],
  gzip: [0x1f, 0x8b],
  png: [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a],
  jpeg: [0xff, 0xd8, 0xff],
} as const;

/**
 * The head of a file as text when it looks like text (valid UTF-8, allowing a character cut at
 * the end, and no NUL bytes), else undefined.
 */
export function looksLikeText(head: Uint8Array): string | undefined {
  if (head.length === 0 || head.includes(0)) return undefined;
  const bad = firstInvalidUtf8(head);
  if (bad >= 0 && bad < head.length - 3) return undefined;
  return new TextDecoder().decode(bad >= 0 ? head.subarray(0, bad) : head);
}

/** True for bytes that start like a PNG or a JPEG. */
export function isImage(head: Uint8Array): boolean {
  return startsWith(head, MAGIC.png) || startsWith(head, MAGIC.jpeg);
}
