import { transferChunkLayout } from "@cyxwiz/protocol/chunk";
import { formatBytes } from "@cyxwiz/protocol/units";
import { resourceExhausted } from "../rpc/rpc-errors.js";
import type { StorageUsage, TransferRecord } from "../store/index.js";

/**
 * The most bytes a transfer can store: its declared layout with every chunk uncompressed, plus the
 * GCM tag of each when encrypted (docs/upload-protocol.md "Chunk sizes"). The receiver refuses
 * any chunk larger than that, so this is what an upload can really cost the disk.
 *
 * @throws RangeError for sizes no transfer can declare (InitiateTransfer refuses those first).
 */
export function transferBound(
  t: Pick<TransferRecord, "chunkSize" | "totalSize" | "chunkPlainSizes" | "encrypted">,
): number {
  return transferChunkLayout({
    chunkSize: t.chunkSize,
    totalSize: t.totalSize,
    plainSizes: t.chunkPlainSizes,
  }).maxStoredTotal(t.encrypted);
}

/** What the owner's data takes against the quota: committed versions, and each unfinished transfer's bound. */
export function quotaUsed(usage: StorageUsage): number {
  return usage.unfinished.reduce((sum, t) => sum + transferBound(t), usage.committedBytes);
}

/**
 * The admission check for a new transfer that may store up to `needed` bytes, for
 * `store.transfers.create` (which runs it while the owner's other creations wait).
 *
 * @returns a function that throws RESOURCE_EXHAUSTED, naming what is used, the quota and what
 *   the transfer needs, when the owner's usage plus `needed` would pass `quotaBytes`.
 */
export function admitWithinQuota(quotaBytes: number, needed: number): (usage: StorageUsage) => void {
  return (usage) => {
    const used = quotaUsed(usage);
    if (used + needed <= quotaBytes) return;
    throw resourceExhausted(
      `quota: ${formatBytes(used)} of ${formatBytes(quotaBytes)} used; this transfer needs up to ${formatBytes(needed)}. ` +
        "Cancel an unfinished upload or delete a dataset version to make room",
    );
  };
}
