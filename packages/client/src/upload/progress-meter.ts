import type { LiveTransfer } from "./live-transfer.js";
import type { UploadProgress } from "./upload-types.js";

/** Turns acknowledgements into {@link UploadProgress} reports, with this run's rate. */
export interface ProgressMeter {
  /** Starts the clock of this run's rate. */
  start(): void;
  /** Counts plaintext bytes this session sent and had acknowledged. */
  countSent(bytes: number): void;
  /** Reports where `live` stands to the callback, if there is one. */
  report(live: LiveTransfer): void;
}

/**
 * Creates the meter of an upload of `totalBytes`. The rate counts only frames this session sent:
 * chunks already on the gateway (saved as done, or found there after a reload) did not travel in
 * this run.
 */
export function createProgressMeter(
  totalBytes: number,
  onProgress: ((progress: UploadProgress) => void) | undefined,
  now: () => number = Date.now,
): ProgressMeter {
  let startedAt = 0;
  let bytesSentThisRun = 0;
  return {
    start() {
      startedAt = now();
    },
    countSent(bytes) {
      bytesSentThisRun += bytes;
    },
    report(live) {
      if (onProgress === undefined) return;
      const seconds = (now() - startedAt) / 1000;
      const rate = seconds > 0 ? bytesSentThisRun / seconds : 0;
      onProgress({
        bytesAcked: live.bytesDurable,
        totalBytes,
        chunksAcked: live.durable.size,
        totalChunks: live.state.numChunks,
        bytesPerSecond: rate,
        etaSeconds: rate > 0 ? (totalBytes - live.bytesDurable) / rate : undefined,
      });
    },
  };
}
