/**
 * Chunk blobs, content-addressed by the SHA-256 of their bytes as stored (ARCHITECTURE §5). Two
 * datasets that share a chunk share its blob; which blobs are still needed is the metadata
 * store's to say (DeleteResult.unreferencedDigests).
 *
 * Implementations: a local directory ({@link createDirectoryBlobStore}, the default); an
 * S3-compatible bucket at scale (ARCHITECTURE §8), behind this same interface.
 */
/** Options of {@link BlobStore.put}. */
export interface BlobPutOptions {
  /**
   * The caller has just computed SHA-256(bytes) itself and compared it with `digest` (the chunk
   * receiver does, for every frame), so the store does not hash the bytes a second time.
   */
  readonly digestVerified?: boolean;
}

export interface BlobStore {
  /**
   * Stores `bytes` under `digest`, after checking that SHA-256(bytes) is `digest`. Atomic: a
   * reader sees the whole blob or none. Storing a digest that is already there is a cheap no-op,
   * and concurrent puts of one digest are safe. `bytes` may be pieces (a frame's payload in the
   * fragments it arrived in), stored as their concatenation.
   * @throws StoreError `invalid_argument` (a digest that is not 32 bytes), `digest_mismatch`.
   */
  put(digest: Uint8Array, bytes: Uint8Array | readonly Uint8Array[], options?: BlobPutOptions): Promise<void>;
  /**
   * The blob, or undefined when none is stored under `digest`. The bytes are checked against the
   * digest on the way out, so damage at rest is reported instead of forwarded.
   * @throws StoreError `invalid_argument`, `corrupt_blob`.
   */
  get(digest: Uint8Array): Promise<Uint8Array | undefined>;
  /** Whether a blob is stored under `digest`. @throws StoreError `invalid_argument`. */
  has(digest: Uint8Array): Promise<boolean>;
  /** Deletes the blob; true when there was one. @throws StoreError `invalid_argument`. */
  delete(digest: Uint8Array): Promise<boolean>;
}
