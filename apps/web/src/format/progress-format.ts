/**
 * How an upload's progress reads on screen: time left and percent. Sizes and rates come from
 * `@cyxwiz/protocol/units`, the one convention of every surface.
 */

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
