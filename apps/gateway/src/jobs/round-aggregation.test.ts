import { describe, expect, it } from "vitest";
import { aggregateRound } from "./round-aggregation.js";

const rule = (
  r: "fedavg" | "trimmed-mean" | "krum",
  extra: Partial<{ trimFraction: number; byzantine: number; maxNormRatio: number; serverLearningRate: number }> = {},
) => ({
  rule: r,
  trimFraction: 0,
  byzantine: 0,
  maxNormRatio: 0,
  serverLearningRate: 1,
  ...extra,
});
const f32 = (...v: number[]) => Float32Array.from(v);

describe("closing a round", () => {
  it("FedAvg weights each delta by its samples and adds the result to the global weights", () => {
    // (1·[1, 2] + 3·[5, -2]) / 4 = [4, -1]; global [10, 10] → [14, 9].
    const out = aggregateRound(
      f32(10, 10),
      [
        { nodeId: "a", delta: f32(1, 2), samples: 1 },
        { nodeId: "b", delta: f32(5, -2), samples: 3 },
      ],
      rule("fedavg"),
    );
    expect([...out.weights]).toEqual([14, 9]);
    expect(out.used).toEqual(["a", "b"]);
    expect(out.refused).toEqual([]);
  });

  it("moves the global weights server_learning_rate × the combined update, for every rule", () => {
    const updates = [
      { nodeId: "a", delta: f32(1, 2), samples: 1 },
      { nodeId: "b", delta: f32(5, -2), samples: 3 },
    ];
    // FedAvg's combined update is [4, -1]: × 1.5 = [6, -1.5].
    expect([...aggregateRound(f32(10, 10), updates, rule("fedavg", { serverLearningRate: 1.5 })).weights]).toEqual([
      16, 8.5,
    ]);
    // Trimmed mean with nothing trimmed: the unweighted mean [3, 0], × 0.5.
    const trimmed = aggregateRound(
      f32(0, 0),
      updates,
      rule("trimmed-mean", { trimFraction: 0.1, serverLearningRate: 0.5 }),
    );
    expect([...trimmed.weights]).toEqual([1.5, 0]);
  });

  it("keeps the model when no update is left", () => {
    const out = aggregateRound(f32(1, 2), [], rule("fedavg"));
    expect([...out.weights]).toEqual([1, 2]);
  });

  it("refuses an update whose norm is above max_norm_ratio × the median, then trims (trimmed-mean)", () => {
    const updates = [
      { nodeId: "a", delta: f32(1, 0), samples: 10 },
      { nodeId: "b", delta: f32(1.2, 0), samples: 10 },
      { nodeId: "c", delta: f32(0.8, 0), samples: 10 },
      { nodeId: "evil", delta: f32(100, 0), samples: 10 },
    ];
    const out = aggregateRound(f32(0, 0), updates, rule("trimmed-mean", { trimFraction: 0.25, maxNormRatio: 3 }));
    expect(out.refused.map((r) => r.nodeId)).toEqual(["evil"]);
    expect(out.refused[0]?.reason).toMatch(/norm 100\.0 is above 3 × the round's median norm/);
    // Three left, floor(0.25 × 3) = 0 trimmed: their mean.
    expect(out.weights[0]).toBeCloseTo(1, 6);
  });

  it("Krum picks the update closest to the others, and the norm check refuses the outlier first", () => {
    const updates = [
      { nodeId: "a", delta: f32(1, 1), samples: 1 },
      { nodeId: "b", delta: f32(1.1, 0.9), samples: 1 },
      { nodeId: "c", delta: f32(0.9, 1.1), samples: 1 },
      { nodeId: "d", delta: f32(1, 1.05), samples: 1 },
      { nodeId: "evil", delta: f32(-50, 80), samples: 1 },
    ];
    const out = aggregateRound(f32(0, 0), updates, rule("krum", { byzantine: 1, maxNormRatio: 5 }));
    expect(out.refused.map((r) => r.nodeId)).toEqual(["evil"]);
    expect(["a", "d"]).toContain(
      ["a", "b", "c", "d"].find(
        (_, i) => out.weights[0] === updates[i]!.delta[0] && out.weights[1] === updates[i]!.delta[1],
      ),
    );
    const noCheck = aggregateRound(f32(0, 0), updates, rule("krum", { byzantine: 1 }));
    expect(noCheck.weights[0]).toBeGreaterThan(0.8); // Krum alone never picks the outlier
  });
});
