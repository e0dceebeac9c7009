/**
 * The stable codes of the gateway's storage layer, each with what it means for the caller. They
 * follow Connect's code names where one fits, so the RPC layer maps them one to one
 * (invalid_argument, not_found, already_exists; conflict → failed_precondition; the rest →
 * internal / data_loss).
 */
export const STORE_ERROR_CODES = {
  invalid_argument:
    "An argument is malformed: a name with a path separator or control character, an oversized value, a digest of the wrong length. Nothing was stored.",
  not_found: "The user, transfer, dataset or version does not exist (or does not belong to this owner).",
  already_exists: "A user, transfer or dataset version with that identity already exists.",
  conflict:
    "The request contradicts what is stored: a different digest for a recorded chunk, a change to a finished transfer, a commit of an incomplete transfer.",
  digest_mismatch: "The bytes given to the blob store do not hash (SHA-256) to the digest they were stored under.",
  corrupt_blob: "A stored blob no longer hashes to its digest: the storage medium corrupted it.",
  data_dir_in_use:
    "Another gateway process holds the data directory (its PID is in <dir>/gateway.lock): one directory serves one gateway at a time.",
  migration_mismatch:
    "A migration already applied to the database differs from the file of the same number: the schema cannot be trusted.",
} as const;

/** One of the storage layer's stable error codes. */
export type StoreErrorCode = keyof typeof STORE_ERROR_CODES;

/**
 * The storage layer's typed error: expected failures caused by the input or by stored state. A
 * failed call leaves stored state as it was (ARCHITECTURE §7). Detect it with {@link isStoreError}
 * (by `name`, STYLE §10), then switch on `code`.
 */
export class StoreError extends Error {
  override readonly name = "StoreError";
  readonly code: StoreErrorCode;
  constructor(code: StoreErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}

/** True for a StoreError, from any copy of this module. */
export function isStoreError(e: unknown): e is StoreError {
  return typeof e === "object" && e !== null && (e as { name?: unknown }).name === "StoreError";
}

/** The SQLSTATE of a database error from either driver (both expose it as `code`), if any. */
export function sqlStateOf(e: unknown): string | undefined {
  const code = typeof e === "object" && e !== null ? (e as { code?: unknown }).code : undefined;
  return typeof code === "string" && /^[0-9A-Z]{5}$/.test(code) ? code : undefined;
}
