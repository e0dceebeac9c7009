export type { BlobLike, ByteSource } from "./byte-source.js";
export { blobByteSource, bytesByteSource } from "./byte-source.js";
export type { PackedChunk } from "./chunk-format.js";
export { DEFAULT_CHUNK_SIZE, MAX_CHUNK_SIZE, storedBytes } from "./chunk-format.js";
export type { ChunkLayout, FixedChunkLayout, SizeBounds, StoredForm } from "./chunk-layout.js";
export {
  checkChunkSize,
  describeSizeMismatch,
  fixedChunkLayout,
  MAX_CHUNKS,
  sampleChunkLayout,
  storedSizeBoundsOf,
  transferChunkLayout,
} from "./chunk-layout.js";
export type { ChunkPacker, ChunkPackerOptions, ChunkTransform } from "./chunk-packer.js";
export { createChunkPacker, decideCodec } from "./chunk-packer.js";
export type { ChunkPlacement } from "./chunk-read.js";
export { readChunk } from "./chunk-read.js";
export type {
  ChunkReceiver,
  ChunkReceiverOptions,
  ReceivedChunk,
  ReceiverEvent,
  StreamingExpectation,
} from "./chunk-receiver.js";
export { createChunkReceiver } from "./chunk-receiver.js";
export type { Chunker, ChunkerOptions } from "./chunker.js";
export { chunkToFrame, chunkToFrameParts, createChunker } from "./chunker.js";
export type { ChunkResult, ManifestBuilder, ManifestFields } from "./manifest-builder.js";
export { createManifestBuilder } from "./manifest-builder.js";
export type { CheckedManifest, ReceivedTransfer } from "./manifest-check.js";
export { checkCommit, checkManifest } from "./manifest-check.js";
