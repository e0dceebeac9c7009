import {
  type ChunkReceiver,
  createChunkReceiver,
  type ReceiverEvent,
  transferChunkLayout,
} from "@cyxwiz/protocol/chunk";
import type { Primitives } from "@cyxwiz/protocol/primitives";
import type { GatewayMetrics } from "../http/gateway-metrics.js";
import type { BlobStore, MetadataStore, TransferRecord } from "../store/index.js";
import type { DigestLocks } from "./digest-locks.js";

/**
 * The live side of uploads: one streaming-mode chunk receiver per transfer (docs/upload-protocol.md
 * §2), rebuilt from the database after a restart, so both transports (WebSocket frames and the
 * StreamData RPC) feed the same state machine. A verified chunk is stored content-addressed, then
 * recorded; the receiver acks it only after both.
 *
 * Receivers hold only the reorder buffer in memory; which chunks are durable lives in the
 * database (ARCHITECTURE §8), so any gateway replica can continue a transfer.
 */
export interface TransferHub {
  /** The receiver of an in-progress transfer (created on first use). */
  receiver(transfer: TransferRecord): Promise<ChunkReceiver>;
  /** Forgets a transfer's receiver (cancelled, committed, deleted). */
  drop(transferId: string): void;
}

export function createTransferHub(deps: {
  store: MetadataStore;
  blobs: BlobStore;
  primitives: Primitives;
  maxPayloadBytes: number;
  /** Unacknowledged frames a client may have in flight (GetGatewayInfo.window). */
  window: number;
  /** Chunks of one transfer written to disk and recorded at once (CYXWIZ_STORE_CONCURRENCY). */
  storeConcurrency: number;
  digestLocks: DigestLocks;
  metrics: GatewayMetrics;
}): TransferHub {
  const receivers = new Map<string, Promise<ChunkReceiver>>();

  async function build(transfer: TransferRecord): Promise<ChunkReceiver> {
    const recorded = await deps.store.transfers.chunks(transfer.id);
    let started = transfer.state === "in_progress";
    const layout = transferChunkLayout({
      chunkSize: transfer.chunkSize,
      totalSize: transfer.totalSize,
      plainSizes: transfer.chunkPlainSizes,
    });
    if (layout.numChunks !== transfer.numChunks)
      throw new Error(
        `transfer ${transfer.id} records ${transfer.numChunks} chunks; its sizes make ${layout.numChunks}`,
      );
    const made = await createChunkReceiver({
      primitives: deps.primitives,
      transferId: transfer.id,
      // The layout InitiateTransfer declared: each chunk's size is checked against it before the
      // chunk is hashed or written (docs/upload-protocol.md "Chunk sizes").
      streaming: {
        layout,
        encrypted: transfer.encrypted,
        mayBeCompressed: transfer.compression !== "none",
      },
      durable: recorded.map((c) => c.index),
      maxPayloadBytes: deps.maxPayloadBytes,
      // Frames ahead of the next expected chunk wait in memory: bound them by the client's window
      // (twice it, for retransmissions), not by what a hostile client chooses to send.
      reorderWindow: 2 * deps.window,
      // Verification stays in order; the write-fsync-rename-record of several chunks overlaps, so
      // one chunk's disk latency does not cap a transfer's throughput.
      maxConcurrentStores: deps.storeConcurrency,
      store: async (chunk) => {
        // The receiver has just checked SHA-256(stored) against the frame's checksum: no second hash.
        // Under the digest's lock: a concurrent release of the same bytes cannot delete the blob
        // between finding it here and the record that keeps it (release-blobs.ts).
        await deps.digestLocks.run(chunk.digest, async () => {
          await deps.blobs.put(chunk.digest, chunk.storedParts, { digestVerified: true });
          await deps.store.transfers.recordChunk(transfer.id, chunk.index, chunk.digest, chunk.storedSize);
        });
        deps.metrics.chunksStored.inc();
        deps.metrics.bytesStored.inc(chunk.storedSize);
        if (!started) {
          started = true; // before the await: concurrent stores must not all set it
          await deps.store.transfers.setState(transfer.id, "in_progress");
        }
      },
    });
    if (!made.ok) throw new Error(`${made.error.code}: ${made.error.message}`);
    return made.value;
  }

  return {
    receiver(transfer) {
      let r = receivers.get(transfer.id);
      if (r === undefined) {
        r = build(transfer);
        receivers.set(transfer.id, r);
        r.catch(() => receivers.delete(transfer.id));
      }
      return r;
    },
    drop(transferId) {
      receivers.delete(transferId);
    },
  };
}

/** Counts what a receiver said, for /metrics and logs. */
export function countEvents(metrics: GatewayMetrics, events: readonly ReceiverEvent[]): void {
  for (const e of events) if (e.kind === "ack") metrics.framesAcked.inc({ status: String(e.ack.status) });
}
