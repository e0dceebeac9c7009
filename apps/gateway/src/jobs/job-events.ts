import { EventEmitter } from "node:events";

// Wake-ups for the streams that watch jobs and assignments (docs/compute.md "Watching"). An event
// says only what changed; the streams read the content from the database, so a missed event costs
// nothing but latency and a restarted gateway loses nothing.

/** What changed in a job. */
export type JobEvent =
  | { readonly kind: "state" }
  | { readonly kind: "round_closed"; readonly round: number }
  | { readonly kind: "worker"; readonly nodeId: string };

export interface JobEvents {
  /** A job changed. */
  job(jobId: string, event: JobEvent): void;
  /** A node's assignments changed (a new round, a new shard, a revocation). */
  node(nodeId: string): void;
  /** Asks the engine for a step soon (an update arrived, keys were granted). */
  wake(): void;
  /** The gateway is closing: every stream waiting on these events ends (preClose). */
  close(): void;
  /** Whether close() was called. */
  readonly closed: boolean;
  /** Calls `listener` once close() is called, until the returned function is called. */
  onClose(listener: () => void): () => void;
  /** Calls `listener` on each wake() until the returned function is called. */
  onWake(listener: () => void): () => void;
  /** Calls `listener` on each change of `jobId` until the returned function is called. */
  onJob(jobId: string, listener: (event: JobEvent) => void): () => void;
  /** Calls `listener` on each change of `nodeId`'s assignments until the returned function is called. */
  onNode(nodeId: string, listener: () => void): () => void;
}

export function createJobEvents(): JobEvents {
  const emitter = new EventEmitter();
  emitter.setMaxListeners(0);
  const on = <T extends unknown[]>(name: string, listener: (...args: T) => void) => {
    emitter.on(name, listener as (...args: unknown[]) => void);
    return () => {
      emitter.off(name, listener as (...args: unknown[]) => void);
    };
  };
  let closed = false;
  return {
    close() {
      closed = true;
      emitter.emit("close");
    },
    get closed() {
      return closed;
    },
    onClose: (listener) => on("close", listener),
    job: (jobId, event) => emitter.emit(`job:${jobId}`, event),
    node: (nodeId) => emitter.emit(`node:${nodeId}`),
    wake: () => emitter.emit("wake"),
    onWake: (listener) => on("wake", listener),
    onJob: (jobId, listener) => on(`job:${jobId}`, listener),
    onNode: (nodeId, listener) => on(`node:${nodeId}`, listener),
  };
}

/** Wake-ups counted while nobody waits, so an event between a read and the wait is not lost. */
export interface Waker {
  /** Resolves true at the next wake-up (at once if one came since the last wait), or after `timeoutMs`; false once aborted. */
  wait(timeoutMs: number): Promise<boolean>;
  close(): void;
}

/**
 * A waker over a wake-up source; `subscribe` returns its unsubscribe function. It ends (wait
 * resolves false) when `signal` aborts or `events` close.
 */
export function createWaker(
  subscribe: (wake: () => void) => () => void,
  signal: AbortSignal,
  events?: Pick<JobEvents, "closed" | "onClose">,
): Waker {
  let pending = false;
  let ended = events?.closed === true;
  let resolveWait: ((value: boolean) => void) | undefined;
  const settle = (value: boolean) => {
    const r = resolveWait;
    resolveWait = undefined;
    r?.(value);
  };
  const off = subscribe(() => {
    pending = true;
    settle(true);
  });
  const aborted = () => {
    ended = true;
    settle(false);
  };
  signal.addEventListener("abort", aborted);
  const offClose = events?.onClose(aborted) ?? (() => undefined);
  return {
    wait(timeoutMs) {
      if (signal.aborted || ended) return Promise.resolve(false);
      if (pending) {
        pending = false;
        return Promise.resolve(true);
      }
      return new Promise((resolve) => {
        const timer = setTimeout(() => settle(true), timeoutMs);
        resolveWait = (value) => {
          clearTimeout(timer);
          pending = false;
          resolve(value);
        };
      });
    },
    close() {
      off();
      offClose();
      signal.removeEventListener("abort", aborted);
      settle(false);
    },
  };
}
