import type { ChunkRecord } from "../transfer-state.js";
import { DEFAULT_WINDOW } from "./upload-types.js";

/**
 * The window of one frames socket (docs/upload-protocol.md §2): the chunks still to send, lowest
 * index first, and the frames sent and not yet answered, at most `size` of them.
 */
export interface SendWindow {
  readonly size: number;
  /** Frames sent and not yet answered. */
  readonly inFlight: number;
  /** The chunks waiting to be sent, ascending. */
  readonly queue: readonly number[];
  /** Whether a frame may go out now: a chunk is waiting and the window has room. */
  canSend(): boolean;
  /** Takes the lowest waiting chunk off the queue. */
  take(): number | undefined;
  /** Puts a chunk back in its place in the queue (a refused frame, or one not sent after all); once only. */
  requeue(index: number): void;
  /** Counts chunk `index` as in flight, with the record it gets once acknowledged. */
  sent(index: number, record: ChunkRecord): void;
  /** Settles an in-flight chunk: its record, or undefined when it was not in flight (a late answer). */
  settle(index: number): ChunkRecord | undefined;
}

/**
 * The window a socket uses: the gateway's (DEFAULT_WINDOW when it names none), or the client's
 * own when that is smaller.
 */
export function windowSize(gatewayWindow: number, clientWindow: number | undefined): number {
  return Math.min(gatewayWindow > 0 ? gatewayWindow : DEFAULT_WINDOW, clientWindow ?? Number.MAX_SAFE_INTEGER);
}

/** Creates the window of one socket over `queue` (ascending chunk indices, copied). */
export function createSendWindow(queue: readonly number[], size: number): SendWindow {
  const waiting = queue.slice();
  const inFlight = new Map<number, ChunkRecord>();
  return {
    size,
    get inFlight() {
      return inFlight.size;
    },
    queue: waiting,
    canSend: () => inFlight.size < size && waiting.length > 0,
    take: () => waiting.shift(),
    requeue(index) {
      // A refused chunk goes after the chunks before it, which are earlier in the queue (out of order otherwise).
      let at = 0;
      while (at < waiting.length && waiting[at]! < index) at++;
      if (waiting[at] !== index) waiting.splice(at, 0, index);
    },
    sent(index, record) {
      inFlight.set(index, record);
    },
    settle(index) {
      const record = inFlight.get(index);
      inFlight.delete(index);
      return record;
    },
  };
}
