import { create, toBinary } from "@bufbuild/protobuf";
import type { ChunkReceiver, ReceiverEvent } from "@cyxwiz/protocol/chunk";
import { copyPiecesInto, piecesLength } from "@cyxwiz/protocol/frame";
import { FRAMES_ROUTE, type FramesCloseReason, framesClose } from "@cyxwiz/protocol/frames-endpoint";
import { FrameStreamMessageSchema, type TransferAck, TransferState, TransferStatusSchema } from "@cyxwiz/protocol/gen";
import type { FastifyInstance } from "fastify";
import type { WebSocket } from "ws";
import type { GatewayDeps } from "../gateway-deps.js";
import { notAPerson } from "../http/request-caller.js";
import type { TransferRecord } from "../store/index.js";
import { findOwnedTransfer, noTransferMessage } from "../transfers/owned-transfer.js";
import { countEvents } from "../transfers/transfer-hub.js";
import { createMessageBuffers } from "./message-buffers.js";

/**
 * The data plane for browsers (docs/upload-protocol.md §2): `GET /v1/transfers/:id/frames` upgraded
 * to a WebSocket; one CYXW frame per binary message in, one FrameStreamMessage (ack, or the final
 * status) per event out. Frames are verified one at a time in arrival order while the durable
 * writes of several chunks overlap (the hub's receivers store concurrently); each ack goes out as
 * its chunk becomes durable. While `window` frames are unacknowledged the socket stops reading,
 * so a slow disk pushes back on the client through TCP.
 */
export async function registerFramesRoute(app: FastifyInstance, deps: GatewayDeps): Promise<void> {
  // Every message is copied into one of these at once, so what ws allocated dies young (see
  // message-buffers.ts); kept for reuse while uploads run, dropped when the last socket closes.
  const buffers = createMessageBuffers({ maxPooledBytes: 2 * deps.config.window * 5 * 1024 * 1024 });
  let openSockets = 0;
  const trimIfIdle = () => {
    if (openSockets === 0 && buffers.outstanding === 0) buffers.trim();
  };
  app.get<{ Params: { id: string } }>(FRAMES_ROUTE, { websocket: true }, async (socket: WebSocket, req) => {
    const log = req.log.child({ transferId: req.params.id });
    // Close codes and reasons: @cyxwiz/protocol/frames-endpoint (docs/errors.md).
    const close = (why: FramesCloseReason, message: string): undefined => {
      const { code, reason } = framesClose(why, message); // cut to fit: a close reason is at most 123 bytes
      log.warn({ code, reason }, "frames socket refused");
      socket.close(code, reason);
      return undefined;
    };
    // Listeners are attached before any await: frames a client sends right after the handshake
    // arrive while the token and transfer are still being checked, and must not be lost.
    let transfer: TransferRecord | undefined;
    const ready = (async () => {
      // The token (the `bearer.` subprotocol) was verified with the upgrade's headers by the first
      // hook (http/request-caller.ts); its verdict is read here, not computed again.
      const caller = req.caller;
      if (caller.kind !== "user") return close("CYXW_ERR_AUTH", notAPerson(caller).message);
      // Someone else's transfer is answered exactly as a missing one: ids cannot be probed for.
      const found = await findOwnedTransfer(deps.store, caller.principal.username, req.params.id).catch(
        () => undefined,
      );
      if (found === undefined) return close("CYXW_ERR_TRANSFER", noTransferMessage(req.params.id));
      if (found.state !== "pending" && found.state !== "in_progress")
        return close("CYXW_ERR_TRANSFER", `the transfer is ${found.state}`);
      transfer = found;
      return deps.hub.receiver(found);
    })();
    deps.metrics.framesSockets.inc();
    openSockets++;
    socket.on("close", () => {
      deps.metrics.framesSockets.dec();
      openSockets--;
      trimIfIdle();
    });

    const send = (message: Parameters<typeof create<typeof FrameStreamMessageSchema>>[1]) => {
      if (socket.readyState === socket.OPEN)
        socket.send(toBinary(FrameStreamMessageSchema, create(FrameStreamMessageSchema, message)));
    };
    // Messages as the fragments they arrived in (ws would first concatenate a fragmented
    // message into a fresh buffer); they are copied once, into a reused buffer, below.
    socket.binaryType = "fragments";
    let waiting = 0;
    let completeSeen = false;
    const limit = deps.config.window;
    /** The final status goes out after every ack: once complete and no frame is still in work. */
    const sendStatusWhenDone = (receiver: ChunkReceiver) => {
      if (!completeSeen || waiting > 0 || transfer === undefined) return;
      completeSeen = false;
      send({
        kind: {
          case: "status",
          value: create(TransferStatusSchema, {
            transferId: transfer.id,
            state: TransferState.IN_PROGRESS,
            chunksReceived: receiver.chunksDurable,
            chunksTotal: receiver.numChunks,
          }),
        },
      });
    };
    socket.on("message", (data, isBinary) => {
      if (!isBinary) return close("CYXW_ERR_FRAME", "text messages are not frames; send binary CYXW frames");
      waiting++;
      if (waiting > limit * 4) return close("CYXW_ERR_WINDOW", `more than ${limit} unacknowledged frames in flight`);
      if (waiting >= limit) socket.pause();
      const pieces: readonly Uint8Array[] = Array.isArray(data)
        ? data
        : [data instanceof ArrayBuffer ? new Uint8Array(data) : (data as Uint8Array)];
      const buffer = buffers.take(piecesLength(pieces));
      const message = buffer.subarray(0, copyPiecesInto(pieces, buffer));
      // Handed to the receiver in arrival order (then-callbacks run in the order registered);
      // the receiver verifies in that order and resolves each frame when its chunk is durable,
      // after which it holds no reference to the message and the buffer is reused.
      void ready
        .then(async (receiver) => {
          if (receiver === undefined || transfer === undefined) return; // refused: the socket is closing
          let events: ReceiverEvent[];
          try {
            events = await receiver.receiveFrame(message);
          } catch (e) {
            log.error({ err: e }, "storing a chunk failed");
            close("CYXW_ERR_STORE", "the gateway could not store the chunk; retry later");
            return;
          }
          countEvents(deps.metrics, events);
          for (const e of events) {
            if (e.kind === "ack") send({ kind: { case: "ack", value: e.ack satisfies TransferAck } });
            else if (e.kind === "complete") completeSeen = true;
          }
          return receiver;
        })
        .finally(() => {
          buffers.release(buffer);
          trimIfIdle();
        })
        .then((receiver) => {
          waiting--;
          if (waiting < limit && socket.isPaused) socket.resume();
          if (receiver !== undefined) sendStatusWhenDone(receiver);
        });
    });
  });
}
