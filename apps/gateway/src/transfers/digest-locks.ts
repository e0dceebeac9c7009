/**
 * One lock per chunk digest, in this process. Blobs are content-addressed and shared: storing a
 * chunk (write the blob, or find it there, then record it) and releasing one (find it
 * unreferenced, then delete the blob) must not interleave for the same digest, or a chunk that
 * was just recorded could lose its blob to a deletion that looked a moment earlier. The gateway
 * is one process over its data directory (PGlite; one writer), so an in-process lock suffices.
 */
export interface DigestLocks {
  /** Runs `work` once no other work holds `digest`'s lock; work on other digests runs freely. */
  run<T>(digest: Uint8Array, work: () => Promise<T>): Promise<T>;
}

export function createDigestLocks(): DigestLocks {
  const tails = new Map<string, Promise<unknown>>();
  return {
    run(digest, work) {
      const key = Buffer.from(digest).toString("hex");
      const before = tails.get(key) ?? Promise.resolve();
      const result = before.then(work, work);
      const tail = result.then(
        () => undefined,
        () => undefined,
      );
      tails.set(key, tail);
      void tail.then(() => {
        if (tails.get(key) === tail) tails.delete(key); // nothing queued behind: forget the digest
      });
      return result;
    },
  };
}
