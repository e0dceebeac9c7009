import { ClientError } from "../client-error.js";

/**
 * What the person holding an upload asks of it (pause, resume, cancel), and the wake-up every
 * waiting loop listens for: anything that may unblock the send loop calls `notify()`.
 */
export interface SessionControl {
  readonly paused: boolean;
  /** The reason given to cancel ("" for none); undefined while not cancelled. */
  readonly cancelled: string | undefined;
  /** Resolves when the upload is cancelled (interrupts backoff sleeps). */
  readonly cancelledSignal: Promise<void>;
  pause(): void;
  resume(): void;
  /** Marks the upload cancelled and wakes every waiter; false when it already was. */
  cancel(reason: string): boolean;
  /** Wakes everything waiting in {@link changed}. */
  notify(): void;
  /** Resolves at the next {@link notify} (a condition variable's wait). */
  changed(): Promise<void>;
  /** @throws ClientError CYXW_CLIENT_CANCELLED once cancelled. */
  throwIfCancelled(): void;
}

/** Creates the control of one upload: running, not paused, not cancelled. */
export function createSessionControl(): SessionControl {
  let paused = false;
  let cancelled: string | undefined;
  let waiters: Array<() => void> = [];
  let signalCancel: () => void = () => {};
  const cancelledSignal = new Promise<void>((resolve) => {
    signalCancel = resolve;
  });
  const notify = () => {
    const w = waiters;
    waiters = [];
    for (const f of w) f();
  };
  return {
    get paused() {
      return paused;
    },
    get cancelled() {
      return cancelled;
    },
    cancelledSignal,
    pause() {
      paused = true;
    },
    resume() {
      paused = false;
      notify();
    },
    cancel(reason) {
      if (cancelled !== undefined) return false;
      cancelled = reason;
      signalCancel();
      notify();
      return true;
    },
    notify,
    changed: () => new Promise<void>((resolve) => waiters.push(resolve)),
    throwIfCancelled() {
      if (cancelled !== undefined)
        throw new ClientError(
          "CYXW_CLIENT_CANCELLED",
          `the upload was cancelled${cancelled === "" ? "" : `: ${cancelled}`}`,
        );
    },
  };
}
