import type { DownloadSignal } from "../download.js";

interface ListenableSignal {
  readonly aborted: boolean;
  addEventListener(type: "abort", listener: () => void, options?: { once?: boolean }): void;
}

/** Resolves once `signal` aborts (at once if it already has): for racing waits against it. */
export function abortWait(signal: DownloadSignal): Promise<void> {
  const s = signal as unknown as ListenableSignal;
  return new Promise((resolve) => {
    if (s.aborted) resolve();
    else s.addEventListener("abort", () => resolve(), { once: true });
  });
}
