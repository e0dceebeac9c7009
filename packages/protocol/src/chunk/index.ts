export { blobByteSource, bytesByteSource } from "./byte-source.js";
export type { ByteSource } from "./byte-source.js";
export { chunkToFrame, createChunker, DEFAULT_CHUNK_SIZE, MAX_CHUNK_SIZE } from "./chunker.js";
export type { Chunker, ChunkerOptions, PackedChunk } from "./chunker.js";
export { checkCommit, checkManifest, MAX_CHUNKS } from "./manifest-check.js";
export type { CheckedManifest, ReceivedTransfer } from "./manifest-check.js";
export { createChunkReceiver } from "./chunk-receiver.js";
export type { ChunkReceiver, ChunkReceiverOptions, ReceivedChunk, ReceiverEvent, StreamingExpectation } from "./chunk-receiver.js";
