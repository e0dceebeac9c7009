import { TrainingError } from "./training-error.js";

/** One worker's update: its delta from the global weights and how many samples it trained on. */
export interface WeightedUpdate {
  readonly delta: Float32Array;
  readonly samples: number;
}

function checkSameLength(deltas: readonly Float32Array[]): number {
  if (deltas.length === 0) throw new TrainingError("CYXW_ERR_TR_BAD_OPTION", "no updates to aggregate");
  const n = deltas[0]!.length;
  deltas.forEach((d, i) => {
    if (d.length !== n)
      throw new TrainingError("CYXW_ERR_TR_LAYOUT_MISMATCH", `update ${i} has ${d.length} values, update 0 has ${n}`);
  });
  return n;
}

/**
 * Federated averaging: the mean of the deltas weighted by each update's samples.
 * @throws TrainingError for no updates, lengths that differ, or a weight that is not positive.
 */
export function fedAvg(updates: readonly WeightedUpdate[]): Float32Array {
  const n = checkSameLength(updates.map((u) => u.delta));
  let total = 0;
  updates.forEach((u, i) => {
    if (!(u.samples > 0) || !Number.isFinite(u.samples))
      throw new TrainingError("CYXW_ERR_TR_BAD_OPTION", `update ${i} has ${u.samples} samples: must be positive`);
    total += u.samples;
  });
  const sum = new Float64Array(n);
  for (const u of updates) {
    const w = u.samples / total;
    for (let i = 0; i < n; i++) sum[i]! += w * u.delta[i]!;
  }
  return Float32Array.from(sum);
}

/**
 * Coordinate-wise trimmed mean: for each coordinate, drop the `floor(trimFraction × n)` lowest
 * and highest values and average the rest (unweighted), so a few extreme updates cannot move it.
 * @throws TrainingError CYXW_ERR_TR_BAD_OPTION when trimFraction is not in [0, 0.5) or trims everything.
 */
export function trimmedMean(updates: readonly WeightedUpdate[], trimFraction: number): Float32Array {
  const n = checkSameLength(updates.map((u) => u.delta));
  if (!(trimFraction >= 0 && trimFraction < 0.5))
    throw new TrainingError("CYXW_ERR_TR_BAD_OPTION", `trimFraction must be in [0, 0.5), not ${trimFraction}`);
  const m = updates.length;
  const k = Math.floor(trimFraction * m);
  const out = new Float32Array(n);
  const column = new Float64Array(m);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < m; j++) column[j] = updates[j]!.delta[i]!;
    column.sort();
    let s = 0;
    for (let j = k; j < m - k; j++) s += column[j]!;
    out[i] = s / (m - 2 * k);
  }
  return out;
}

/**
 * Krum (Blanchard et al., 2017): the one update whose summed squared distance to its `m − f − 2`
 * nearest others is least, tolerating `f` Byzantine updates among `m`. Returns the chosen index
 * and its delta.
 * @throws TrainingError CYXW_ERR_TR_BAD_OPTION unless m ≥ 2f + 3.
 */
export function krum(updates: readonly WeightedUpdate[], f: number): { index: number; delta: Float32Array } {
  checkSameLength(updates.map((u) => u.delta));
  const m = updates.length;
  if (!Number.isInteger(f) || f < 0 || m < 2 * f + 3)
    throw new TrainingError("CYXW_ERR_TR_BAD_OPTION", `Krum needs m ≥ 2f + 3 updates: m = ${m}, f = ${f}`);
  const dist = Array.from({ length: m }, () => new Float64Array(m));
  for (let a = 0; a < m; a++)
    for (let b = a + 1; b < m; b++) {
      const x = updates[a]!.delta;
      const y = updates[b]!.delta;
      let s = 0;
      for (let i = 0; i < x.length; i++) {
        const d = x[i]! - y[i]!;
        s += d * d;
      }
      dist[a]![b] = s;
      dist[b]![a] = s;
    }
  let best = -1;
  let bestScore = Number.POSITIVE_INFINITY;
  for (let a = 0; a < m; a++) {
    const others = [...dist[a]!].filter((_, b) => b !== a).sort((p, q) => p - q);
    const score = others.slice(0, m - f - 2).reduce((s, d) => s + d, 0);
    if (score < bestScore) {
      bestScore = score;
      best = a;
    }
  }
  return { index: best, delta: updates[best]!.delta };
}
