/**
 * Loads snappy-wasm in a browser (and any other runtime that is not Node): its ES build, whose
 * wasm the bundler emits as an asset and which `init()` fetches once. Node takes
 * snappy-wasm-loader.node.ts instead (package.json "imports": "#snappy-wasm-loader"), because the
 * ES build cannot fetch a file: URL there.
 */
import init, { compress_raw, decompress_raw } from "snappy-wasm";

/** The raw (unframed) Snappy functions of snappy-wasm (Rust `snap`). Both throw on failure. */
export interface SnappyWasm {
  compressRaw(input: Uint8Array): Uint8Array;
  decompressRaw(input: Uint8Array): Uint8Array;
}

/** Instantiates snappy-wasm's ES build (fetching its wasm asset once) and returns its functions. */
export async function loadSnappyWasm(): Promise<SnappyWasm> {
  await init();
  return { compressRaw: compress_raw, decompressRaw: decompress_raw };
}
