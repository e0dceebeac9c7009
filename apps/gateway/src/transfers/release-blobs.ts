import type { BlobStore, MetadataStore } from "../store/index.js";
import type { DigestLocks } from "./digest-locks.js";

/**
 * Deletes the blobs of `digests` that no chunk record references any more, each under its
 * digest's lock and checked again there: a digest a deletion found unreferenced may have been
 * recorded by an upload since (the same bytes uploaded again), and then its blob stays.
 *
 * @returns how many blobs were deleted.
 */
export async function releaseBlobs(
  deps: { readonly store: MetadataStore; readonly blobs: BlobStore; readonly digestLocks: DigestLocks },
  digests: readonly Uint8Array[],
): Promise<number> {
  let deleted = 0;
  for (const digest of digests) {
    await deps.digestLocks.run(digest, async () => {
      if (await deps.store.transfers.isDigestReferenced(digest)) return;
      if (await deps.blobs.delete(digest)) deleted++;
    });
  }
  return deleted;
}
