/**
 * `@cyxwiz/protocol/merkle`: the dataset Merkle tree (ARCHITECTURE §4, seed §4.2 and §5.4), RFC
 * 6962 shaped and domain-separated, over the SHA-256 digests of a dataset's chunks.
 */

export type { MerkleBuilder } from "./merkle-builder.js";
export { createMerkleBuilder } from "./merkle-builder.js";
export { DIGEST_BYTES, leafHash, nodeHash } from "./merkle-hash.js";
export type { MerkleProof } from "./merkle-tree.js";
export { MerkleTree, verifyMerkleProof } from "./merkle-tree.js";
