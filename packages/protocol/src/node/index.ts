export type { FileByteSource } from "./file-byte-source.js";
export { openFileByteSource, readFilePieces } from "./file-byte-source.js";
export { createNodeSealingPool } from "./node-sealing-pool.js";
