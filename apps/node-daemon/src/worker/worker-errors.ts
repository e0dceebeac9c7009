/**
 * The typed errors of the node daemon's worker modules (docs/node-daemon.md). Callers tell them
 * apart by `name` and `code` (STYLE §10), never by `instanceof`.
 */

/** Why the node identity file could not be used. */
export type NodeIdentityErrorCode = "IDENTITY_PERMISSIONS" | "IDENTITY_MALFORMED" | "IDENTITY_UNREADABLE";

/** The identity file is unsafe, malformed or unreadable; `path` names the file. */
export class NodeIdentityError extends Error {
  override readonly name = "NodeIdentityError";
  constructor(
    readonly code: NodeIdentityErrorCode,
    readonly path: string,
    message: string,
  ) {
    super(`${path}: ${message}`);
  }
}

/** Why the chunk cache refused an operation. */
export type ChunkCacheErrorCode =
  | "BAD_DIGEST"
  | "DIGEST_MISMATCH"
  | "TOO_LARGE"
  | "BAD_OPTION"
  | "BAD_INDEX"
  | "CACHE_IO";

/** A chunk cache operation was refused; the cache's stored state is unchanged. */
export class ChunkCacheError extends Error {
  override readonly name = "ChunkCacheError";
  constructor(
    readonly code: ChunkCacheErrorCode,
    message: string,
    /** The file involved, when there is one. */
    readonly path?: string,
  ) {
    super(path === undefined ? message : `${path}: ${message}`);
  }
}

/** Whether `e` is a NodeIdentityError (by name, so two copies of the module agree). */
export function isNodeIdentityError(e: unknown): e is NodeIdentityError {
  return e instanceof Error && e.name === "NodeIdentityError";
}

/** Whether `e` is a ChunkCacheError (by name, so two copies of the module agree). */
export function isChunkCacheError(e: unknown): e is ChunkCacheError {
  return e instanceof Error && e.name === "ChunkCacheError";
}
