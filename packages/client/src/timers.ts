/**
 * Timers for code that compiles with an ES-only lib (no DOM or Node types): both runtimes have
 * `setTimeout`/`clearTimeout` as globals, reached through `globalThis` with a narrow type.
 */
interface TimerGlobals {
  setTimeout(handler: () => void, ms: number): unknown;
  clearTimeout(id: unknown): void;
}

const timers = globalThis as unknown as TimerGlobals;

/** Calls `handler` after `ms` milliseconds; returns a function that cancels it. */
export function after(ms: number, handler: () => void): () => void {
  const id = timers.setTimeout(handler, ms);
  return () => timers.clearTimeout(id);
}

/** Resolves after `ms` milliseconds, or as soon as `interrupt` resolves. */
export function sleep(ms: number, interrupt?: Promise<unknown>): Promise<void> {
  return new Promise((resolve) => {
    const cancel = after(ms, resolve);
    interrupt?.then(
      () => {
        cancel();
        resolve();
      },
      () => {
        cancel();
        resolve();
      },
    );
  });
}
