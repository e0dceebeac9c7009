/**
 * The slow fuzz suites (`*.fuzz.test.ts`, run by `npm run test:fuzz` and the `fuzz` step of
 * scripts/test.sh, never by `npm test` nor in Chromium) share one seed and one case budget.
 *
 * - CYXWIZ_FUZZ_SEED: the fast-check seed (default {@link DEFAULT_FUZZ_SEED}, so CI runs the same
 *   cases every time); every property logs it when it starts.
 * - CYXWIZ_FUZZ_RUNS: cases across the whole suite (default {@link DEFAULT_FUZZ_RUNS}), divided
 *   between the properties by {@link FUZZ_SHARES}.
 * - CYXWIZ_FUZZ_PATH: with the seed of a failure, replays only its counterexample (give vitest
 *   `-t <property>` too: a path means something only to the property that printed it).
 *
 * A failure prints the seed and path, and the counterexample as a JSON entry for the property's
 * regression corpus: pin it there and the fast replay test (`npm test`) checks it on every run
 * (docs/testing.md, "Fuzzing").
 */
import fc from "fast-check";

export const DEFAULT_FUZZ_SEED = 20_261_208;
/**
 * 110,000 cases: 99,000 in-process (frames, splitFrames, chunk receiver scripts) and about 10,000
 * WebSocket messages (110 sessions of 1 to 200 messages, 90-odd on average: the count varies with
 * the seed). About 2 minutes of CPU; docs/testing.md.
 */
export const DEFAULT_FUZZ_RUNS = 110_000;

/**
 * Each property's share of CYXWIZ_FUZZ_RUNS; the shares add up to 1. For the gateway, a case is
 * one WebSocket message (sessions send 100 on average); elsewhere one generated input.
 */
export const FUZZ_SHARES = {
  "frame: random bytes": 0.18,
  "frame: mutated valid frames": 0.33,
  "frame: header claims": 0.11,
  "frame: split streams": 0.08,
  "chunk receiver: scripts": 0.2,
  "gateway: frames socket messages": 0.1,
} as const;

export type FuzzProperty = keyof typeof FUZZ_SHARES;

export interface FuzzSettings {
  readonly seed: number;
  readonly totalRuns: number;
  readonly path: string | undefined;
}

function integerVariable(env: Record<string, string | undefined>, name: string, fallback: number, min: number) {
  const text = env[name];
  if (text === undefined || text === "") return fallback;
  const n = Number(text);
  if (!Number.isSafeInteger(n) || n < min)
    throw new RangeError(`${name} must be an integer of at least ${min}, got ${JSON.stringify(text)}`);
  return n;
}

/** The seed, case budget and replay path, from the environment. @throws RangeError for a malformed variable. */
export function fuzzSettings(env: Record<string, string | undefined> = process.env): FuzzSettings {
  const seed = integerVariable(env, "CYXWIZ_FUZZ_SEED", DEFAULT_FUZZ_SEED, -(2 ** 31));
  if (seed >= 2 ** 32) throw new RangeError(`CYXWIZ_FUZZ_SEED must fit 32 bits, got ${seed}`);
  const path = env.CYXWIZ_FUZZ_PATH === undefined || env.CYXWIZ_FUZZ_PATH === "" ? undefined : env.CYXWIZ_FUZZ_PATH;
  return { seed: seed | 0, totalRuns: integerVariable(env, "CYXWIZ_FUZZ_RUNS", DEFAULT_FUZZ_RUNS, 1), path };
}

/** Cases for one property: its share of the budget, at least one. */
export function fuzzRuns(property: FuzzProperty, settings: FuzzSettings = fuzzSettings()): number {
  return Math.max(1, Math.round(settings.totalRuns * FUZZ_SHARES[property]));
}

export interface FuzzOptions<Ts extends [unknown, ...unknown[]]> {
  /** Which entry of FUZZ_SHARES this is. */
  readonly property: FuzzProperty;
  /** fast-check runs; default fuzzRuns(property). */
  readonly numRuns?: number;
  /** The corpus a failure is pinned in, named in the failure message. */
  readonly corpus: string;
  /** The counterexample as the corpus entry that replays it. */
  readonly pin: (...counterexample: Ts) => unknown | Promise<unknown>;
}

/**
 * Runs an async property with the suite's seed and budget (fast-check's `fc.check`). On failure,
 * throws fast-check's report (seed, path, counterexample, the error) followed by the JSON entry to
 * add to the corpus.
 */
export async function assertFuzz<Ts extends [unknown, ...unknown[]]>(
  property: fc.IAsyncProperty<Ts>,
  options: FuzzOptions<Ts>,
): Promise<void> {
  const settings = fuzzSettings();
  const numRuns = options.numRuns ?? fuzzRuns(options.property, settings);
  console.log(
    `[fuzz] ${options.property}: ${numRuns} cases, seed ${settings.seed}` +
      (settings.path === undefined ? "" : `, path ${settings.path}`),
  );
  const details = await fc.check(property, {
    seed: settings.seed,
    numRuns,
    ...(settings.path === undefined ? {} : { path: settings.path }),
  });
  if (!details.failed) return;
  const report = fc.defaultReportMessage(details) ?? `property failed (seed ${details.seed})`;
  const entry =
    details.counterexample === null ? "(none)" : JSON.stringify(await options.pin(...details.counterexample));
  throw new Error(
    `${report}\n\nTo pin this case, add it to ${options.corpus} (the fast replay test then checks it on every run):\n${entry}`,
    { cause: details.errorInstance },
  );
}
