export type { ChunkCodec, CodecName } from "./chunk-codec.js";
export { codecFromName, codecName } from "./chunk-codec.js";
export { loadCodec } from "./codec-registry.js";
export { MIN_COMPRESSION_RATIO, worthCompressing } from "./compression-worth.js";
