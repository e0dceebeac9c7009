import { isStoreError, type MetadataStore, type TransferRecord } from "../store/index.js";

/**
 * The one answer, on every RPC and on the frames WebSocket, for a transfer id the caller may not
 * use: whether there is no such transfer or it is someone else's, so ids cannot be probed for
 * (ARCHITECTURE §7, docs/errors.md).
 */
export function noTransferMessage(transferId: string): string {
  return `no transfer ${transferId}`;
}

/**
 * The transfer `transferId` if `username` owns it, else undefined: a missing transfer and someone
 * else's are the same to the caller.
 *
 * @throws StoreError `invalid_argument` for a malformed id, or the store's error when it fails.
 */
export async function findOwnedTransfer(
  store: MetadataStore,
  username: string,
  transferId: string,
): Promise<TransferRecord | undefined> {
  let t: TransferRecord;
  try {
    t = await store.transfers.get(transferId);
  } catch (e) {
    if (isStoreError(e) && e.code === "not_found") return undefined;
    throw e;
  }
  return t.owner === username ? t : undefined;
}
