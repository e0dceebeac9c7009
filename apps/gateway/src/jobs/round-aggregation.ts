import { applyDelta, fedAvg, krum, l2Norm, trimmedMean } from "@cyxwiz/training";
import type { JobPlan } from "./job-spec.js";

// Closing a round's arithmetic (docs/compute.md "Aggregation"): drop updates whose norm stands
// out, combine the rest by the job's rule, add the result to the global weights.

/** One accepted update as aggregation sees it. */
export interface RoundUpdate {
  readonly nodeId: string;
  readonly delta: Float32Array;
  readonly samples: number;
}

export interface RoundResult {
  /** The next global weights (the old ones when no update is left). */
  readonly weights: Float32Array;
  /** Updates folded into the aggregate. */
  readonly used: readonly string[];
  /** Updates refused here, with why (an outlying norm). */
  readonly refused: readonly { readonly nodeId: string; readonly reason: string }[];
}

function median(values: readonly number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/**
 * The next global weights from this round's accepted updates. With `maxNormRatio` > 0 and at
 * least 3 updates, an update whose L2 norm exceeds `maxNormRatio` × the round's median norm is
 * refused first. Then fedavg (weighted by samples), trimmed-mean (coordinate-wise, `trimFraction`
 * cut at each end) or Krum (`byzantine` = f; with fewer than 2f + 3 updates f is lowered to what
 * they allow, and below 3 updates their fedavg is used). The global weights then move
 * `serverLearningRate` × that combined update (1: plain FedAvg).
 */
export function aggregateRound(
  global: Float32Array,
  updates: readonly RoundUpdate[],
  aggregation: JobPlan["aggregation"],
): RoundResult {
  const refused: { nodeId: string; reason: string }[] = [];
  let kept = [...updates];
  if (aggregation.maxNormRatio > 0 && updates.length >= 3) {
    const norms = updates.map((u) => l2Norm(u.delta));
    const limit = aggregation.maxNormRatio * median(norms);
    kept = [];
    updates.forEach((u, i) => {
      if (norms[i]! > limit)
        refused.push({
          nodeId: u.nodeId,
          reason: `norm ${norms[i]!.toPrecision(4)} is above ${aggregation.maxNormRatio} × the round's median norm (${limit.toPrecision(4)})`,
        });
      else kept.push(u);
    });
  }
  if (kept.length === 0) return { weights: global, used: [], refused };
  let delta: Float32Array;
  switch (aggregation.rule) {
    case "fedavg":
      delta = fedAvg(kept);
      break;
    case "trimmed-mean":
      delta = trimmedMean(kept, aggregation.trimFraction);
      break;
    case "krum": {
      if (kept.length < 3) {
        delta = fedAvg(kept);
        break;
      }
      const f = Math.min(aggregation.byzantine, Math.floor((kept.length - 3) / 2));
      delta = krum(kept, f).delta;
      break;
    }
    default: {
      const never: never = aggregation.rule;
      throw new Error(`unknown aggregation rule ${String(never)}`);
    }
  }
  if (aggregation.serverLearningRate !== 1) delta = delta.map((d) => d * aggregation.serverLearningRate);
  return { weights: applyDelta(global, delta), used: kept.map((u) => u.nodeId), refused };
}
