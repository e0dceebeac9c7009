/**
 * How an upload's numbers read on screen. Sizes and rates are decimal (1 MB = 10^6 bytes), as
 * network rates are usually quoted, so "MB" and "MB/s" agree.
 */

const UNITS = ["B", "kB", "MB", "GB", "TB"] as const;

/**
 * "0 B", "512 B", "1.5 kB", "20.0 MB", "1.07 GB": three significant figures from kB up.
 *
 * @throws RangeError for a negative or non-finite byte count.
 */
export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes) || bytes < 0)
    throw new RangeError(`byte count must be a finite number >= 0, got ${bytes}`);
  if (bytes < 1000) return `${Math.round(bytes)} B`;
  let value = bytes;
  let unit = 0;
  while (value >= 999.5 && unit < UNITS.length - 1) {
    value /= 1000;
    unit++;
  }
  const digits = value >= 100 ? 0 : value >= 10 ? 1 : 2;
  return `${value.toFixed(digits)} ${UNITS[unit]}`;
}

/** "45.3 MB/s"; "–" while there is no rate yet (0 or not finite). */
export function formatRate(bytesPerSecond: number): string {
  if (!Number.isFinite(bytesPerSecond) || bytesPerSecond <= 0) return "–";
  return `${formatBytes(bytesPerSecond)}/s`;
}

/** "0:07", "12:05", "1:02:09" (h:mm:ss); "–" when unknown. Rounds up, so "0:00" only when done. */
export function formatEta(seconds: number | undefined): string {
  if (seconds === undefined || !Number.isFinite(seconds) || seconds < 0) return "–";
  const total = Math.ceil(seconds);
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const ss = String(s).padStart(2, "0");
  return h > 0 ? `${h}:${String(m).padStart(2, "0")}:${ss}` : `${m}:${ss}`;
}

/**
 * Whole percent done, rounded down so that 100 means every byte is acknowledged (an empty file is
 * 100% once its one chunk is).
 */
export function percentDone(done: number, total: number): number {
  if (total <= 0) return done > 0 ? 100 : 0;
  if (done >= total) return 100;
  return Math.max(0, Math.floor((done / total) * 100));
}
