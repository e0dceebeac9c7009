import { base64Encode } from "@bufbuild/protobuf/wire";
import { AckStatus, type TransferAck } from "@cyxwiz/protocol/gen";
import { ClientError } from "../client-error.js";
import type { FrameSocket, FrameSocketClose } from "../frame-socket.js";
import { sleep } from "../timers.js";
import { createChunkPipeline } from "./chunk-pipeline.js";
import type { LiveTransfer } from "./live-transfer.js";
import { createSendWindow } from "./send-window.js";
import type { UploadContext } from "./upload-context.js";

/** What outlives one socket: refusals per chunk, and the chunks sent before (resent with RETRANSMIT). */
export interface PumpMemory {
  readonly retries: Map<number, number>;
  readonly sentBefore: Set<number>;
}

/**
 * Sends `queue` over one socket (docs/upload-protocol.md §2), at most `windowSize` unacknowledged,
 * until every chunk is durable (returns undefined) or the socket closes (returns how). An ACK_OK
 * or ACK_DUPLICATE makes a chunk durable (saved, reported); a refusal resends it, up to
 * `maxRetries` times. Nothing new goes out while paused; a chunk being prepared when pause is
 * pressed goes back to the queue.
 *
 * @throws ClientError CYXW_CLIENT_REFUSED (a chunk refused too often), CYXW_CLIENT_PROTOCOL (an
 *   unknown ack status), CYXW_CLIENT_CANCELLED; whatever reading the source throws.
 */
export async function pumpFrames(
  ctx: UploadContext,
  live: LiveTransfer,
  socket: FrameSocket,
  queue: readonly number[],
  windowSize: number,
  memory: PumpMemory,
): Promise<FrameSocketClose | undefined> {
  const { control, status, progress } = ctx;
  const window = createSendWindow(queue, windowSize);
  const pipeline = createChunkPipeline(ctx.primitives, live.packer);
  let closed: FrameSocketClose | undefined;
  let failure: unknown;
  void socket.closed.then((c) => {
    closed = c;
    control.notify();
  });
  const onAck = (ack: TransferAck) => {
    const i = ack.chunkIndex;
    const record = window.settle(i);
    if (record === undefined) return; // not ours to settle (a late answer for an earlier socket's frame)
    status.chunksInFlight = window.inFlight;
    switch (ack.status) {
      case AckStatus.ACK_OK:
      case AckStatus.ACK_DUPLICATE: // already durable: never send it again
        if (live.markDurable(i, record)) progress.countSent(live.packer.layout.plainSizeOf(i));
        ctx.saver.save(live.snapshot);
        progress.report(live);
        return;
      case AckStatus.ACK_FCS_ERROR:
      case AckStatus.ACK_CHECKSUM_MISMATCH:
      case AckStatus.ACK_DECRYPT_ERROR:
      case AckStatus.ACK_OUT_OF_ORDER: {
        const n = (memory.retries.get(i) ?? 0) + 1;
        memory.retries.set(i, n);
        ctx.emit({
          kind: "chunk-refused",
          index: i,
          status: AckStatus[ack.status] ?? String(ack.status),
          message: ack.errorMessage,
        });
        if (n > ctx.settings.maxRetries) {
          failure = new ClientError(
            "CYXW_CLIENT_REFUSED",
            `the gateway refused chunk ${i} ${n} times (${AckStatus[ack.status]}: ${ack.errorMessage || "no message"})`,
            { chunkIndex: i },
          );
          return;
        }
        window.requeue(i);
        return;
      }
      default:
        failure = new ClientError(
          "CYXW_CLIENT_PROTOCOL",
          `the gateway answered chunk ${i} with unknown ack status ${String(ack.status)}`,
          { chunkIndex: i },
        );
    }
  };
  const reader = (async () => {
    for await (const message of socket) {
      if (message.kind.case === "ack") onAck(message.kind.value);
      // message.kind.case === "status": every chunk is durable; the acks before it already said so.
      control.notify();
    }
  })();

  const stopped = () =>
    control.paused || closed !== undefined || control.cancelled !== undefined || failure !== undefined;
  try {
    for (;;) {
      if (control.cancelled !== undefined) {
        socket.close(1000, "cancelled");
        control.throwIfCancelled();
      }
      if (failure !== undefined) {
        socket.close(1000, "");
        throw failure;
      }
      if (live.durable.size === live.state.numChunks) {
        socket.close(1000, "");
        return undefined;
      }
      if (closed !== undefined) return closed;
      if (control.paused || !window.canSend()) {
        await control.changed();
        continue;
      }
      const index = window.take()!;
      if (live.durable.has(index)) continue;
      const chunk = await pipeline.next(index, window.queue, (i) => live.durable.has(i));
      const frame = await pipeline.frame(chunk, memory.sentBefore.has(index), socket.copiesOnSend);
      // Paused (or stopped) while this chunk was being read, sealed or framed: it goes back to
      // the queue, so that once paused nothing more is sent and chunksInFlight tells the truth.
      if (stopped()) {
        window.requeue(index);
        continue;
      }
      window.sent(index, {
        storedSize: chunk.storedSize,
        digest: base64Encode(chunk.digest),
        compressed: chunk.compressed,
      });
      memory.sentBefore.add(index);
      status.chunksInFlight = window.inFlight;
      if (!socket.send(frame)) {
        window.settle(index);
        status.chunksInFlight = window.inFlight;
        window.requeue(index);
        await socket.closed;
        continue;
      }
      status.framesSent++;
    }
  } finally {
    status.chunksInFlight = 0; // a closed socket's frames are settled by GetTransferStatus, not by acks
    socket.close(1000, ""); // no-op when already closed; after a local failure (a file read…) the socket goes too
    // Let the reader see the close; a gateway that never completes the close handshake does not hold us up.
    await Promise.race([reader, socket.closed, sleep(2000)]);
  }
}
