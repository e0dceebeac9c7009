import type { PastSpeed, ShardRecord, WorkerRecord } from "../store/index.js";

// Shards sized by throughput (docs/compute.md "Shards sized by throughput"): a round lasts as long
// as its slowest worker takes, so each worker's share of the train samples follows the samples
// per second it reported in this job. Pure functions; the engine decides when to apply them.

/** Resize only when the predicted round time falls by at least this factor (moving samples costs downloads). */
export const RESIZE_MIN_GAIN = 1.25;
/**
 * Round 1 sized by speeds from earlier jobs only for at least this gain: those speeds were taken
 * under another load (two daemons on one machine measured 2,660 and 5,368 samples/s in one job),
 * so only a real difference counts — for two workers a speed ratio of 3 or more, as between a
 * daemon on wasm and a tab on a software GPU (~20×).
 */
export const ROUND1_MIN_GAIN = 2;
/**
 * No worker's weight goes below this fraction of the fastest's: a worker keeps a real share, and
 * no single worker trains nearly alone. Measured end to end (docs/compute.md "Shards sized by
 * throughput"): with a tab at 4.5–12% of the samples the MLP ended at 95.5–95.8%, 94.0% in one run
 * (tab at 5%); equal shares of two workers have stayed at 95.05–95.7%. A floor nearer equal is the
 * hedge; that it removes the variance is not measured yet.
 */
export const MIN_WEIGHT_FRACTION = 0.25;

/**
 * Each node's weight for its share: its samples per second in this job's latest update. A node
 * with none yet (a newcomer) counts as the mean of those that have one, unless `requireAll`;
 * undefined (equal shares) when no node has one, or when `requireAll` and one lacks it.
 */
export function throughputWeights(
  nodes: readonly string[],
  workers: readonly WorkerRecord[],
  options: { requireAll?: boolean } = {},
): number[] | undefined {
  return speedWeights(
    nodes,
    new Map(workers.filter((w) => isSpeed(w.samplesPerSecond)).map((w) => [w.nodeId, w.samplesPerSecond])),
    options,
  );
}

const isSpeed = (v: number) => Number.isFinite(v) && v > 0;

/** throughputWeights from a map of node → samples per second, wherever the speeds come from. */
export function speedWeights(
  nodes: readonly string[],
  speedOf: ReadonlyMap<string, number>,
  options: { requireAll?: boolean } = {},
): number[] | undefined {
  const known = nodes.flatMap((n) => (speedOf.has(n) ? [speedOf.get(n)!] : []));
  if (known.length === 0 || (options.requireAll === true && known.length < nodes.length)) return undefined;
  const mean = known.reduce((a, b) => a + b, 0) / known.length;
  const raw = nodes.map((n) => speedOf.get(n) ?? mean);
  const floor = Math.max(...raw) * MIN_WEIGHT_FRACTION;
  return raw.map((w) => Math.max(w, floor));
}

/**
 * How much shorter a round would be with shares in proportion to `weights` (nodes[j]'s samples
 * per second): the slowest worker's time now (its samples over its speed) over the time if every
 * worker finished together (all samples over all speed). 1 means already in proportion.
 */
export function resizeGain(
  shards: readonly Pick<ShardRecord, "nodeId" | "samples">[],
  nodes: readonly string[],
  weights: readonly number[],
): number {
  const speed = new Map(nodes.map((n, j) => [n, weights[j]!]));
  let slowest = 0;
  let samples = 0;
  for (const s of shards) {
    const v = s.nodeId === undefined ? undefined : speed.get(s.nodeId);
    if (v === undefined) continue;
    slowest = Math.max(slowest, s.samples / v);
    samples += s.samples;
  }
  const total = weights.reduce((a, b) => a + b, 0);
  const balanced = total > 0 ? samples / total : 0;
  return balanced > 0 ? slowest / balanced : 1;
}

/** What makes speeds comparable across jobs: the same model (preset or JSON spec) at the same batch size. */
export function speedKey(spec: unknown): string {
  const s = (spec ?? {}) as { preset?: unknown; modelJson?: unknown; batchSize?: unknown };
  return JSON.stringify([s.preset ?? null, s.modelJson ?? null, s.batchSize ?? null]);
}

/**
 * Round 1's speeds (docs/compute.md "Shards sized by throughput"): each node's samples per second
 * in its latest earlier job of the same model and batch size (`past` newest first), so a slow
 * worker does not pace the first round of every job it joins. Nodes without one are left out.
 */
export function rememberedSpeeds(past: readonly PastSpeed[], spec: unknown): Map<string, number> {
  const key = speedKey(spec);
  const out = new Map<string, number>();
  for (const p of past)
    if (!out.has(p.nodeId) && isSpeed(p.samplesPerSecond) && speedKey(p.spec) === key)
      out.set(p.nodeId, p.samplesPerSecond);
  return out;
}
