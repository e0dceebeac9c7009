/**
 * Loads snappy-wasm in Node: its CommonJS build, which reads its wasm from disk synchronously.
 * The ES build (snappy-wasm-loader.ts, for browsers) would fetch a file: URL, which Node's fetch
 * does not support.
 */
import { createRequire } from "node:module";
import type { SnappyWasm } from "./snappy-wasm-loader.js";

export type { SnappyWasm } from "./snappy-wasm-loader.js";

interface SnappyWasmCommonJs {
  compress_raw(input: Uint8Array): Uint8Array;
  decompress_raw(input: Uint8Array): Uint8Array;
}

/** Loads snappy-wasm's CommonJS build (its wasm is compiled synchronously on first require). */
export async function loadSnappyWasm(): Promise<SnappyWasm> {
  const snappy = createRequire(import.meta.url)("snappy-wasm") as SnappyWasmCommonJs;
  return { compressRaw: snappy.compress_raw, decompressRaw: snappy.decompress_raw };
}
