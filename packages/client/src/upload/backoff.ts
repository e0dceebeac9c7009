/** How retries back off (docs/upload-protocol.md §3), every field resolved. */
export interface BackoffOptions {
  /** Consecutive failures allowed before giving up. */
  readonly attempts: number;
  /** The first delay; doubled after each further failure. */
  readonly initialDelayMs: number;
  /** The largest delay, before jitter. */
  readonly maxDelayMs: number;
}

/**
 * The delay before retry number `failures` (1 for the first): `initialDelayMs * 2^(failures-1)`,
 * capped at `maxDelayMs`, then scaled by a jitter factor in [0.5, 1) so clients that lost the
 * gateway together do not all come back at once. `random` is `Math.random` unless a test pins it.
 *
 * @throws RangeError for a failure count below 1.
 */
export function backoffDelay(failures: number, options: BackoffOptions, random: () => number = Math.random): number {
  if (!Number.isInteger(failures) || failures < 1) {
    throw new RangeError(`the failure count must be a positive integer, got ${failures}`);
  }
  const base = Math.min(options.maxDelayMs, options.initialDelayMs * 2 ** (failures - 1));
  return Math.round(base * (0.5 + random() / 2));
}

/** Whether `failures` consecutive failures are more than the options allow (then give up). */
export function backoffExhausted(failures: number, options: BackoffOptions): boolean {
  return failures > options.attempts;
}
