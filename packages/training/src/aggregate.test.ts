import { describe, expect, it } from "vitest";
import { fedAvg, krum, trimmedMean } from "./aggregate.js";

/** A small seeded generator so the property checks are repeatable. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}
const randomVec = (r: () => number, n: number, scale = 1) =>
  Float32Array.from({ length: n }, () => (r() - 0.5) * scale);

describe("aggregation rules", () => {
  it("fedAvg of equal sample counts is the coordinate-wise mean (random vectors)", () => {
    const r = rng(1);
    for (let trial = 0; trial < 20; trial++) {
      const m = 1 + Math.floor(r() * 6);
      const deltas = Array.from({ length: m }, () => randomVec(r, 17));
      const avg = fedAvg(deltas.map((delta) => ({ delta, samples: 32 })));
      for (let i = 0; i < 17; i++) expect(avg[i]).toBeCloseTo(deltas.reduce((s, d) => s + d[i]!, 0) / m, 5);
    }
  });

  it("fedAvg weights each update by its samples", () => {
    const avg = fedAvg([
      { delta: Float32Array.of(1, 0), samples: 300 },
      { delta: Float32Array.of(0, 1), samples: 100 },
    ]);
    expect([...avg]).toEqual([0.75, 0.25]);
    expect(() => fedAvg([{ delta: Float32Array.of(1), samples: 0 }])).toThrow(/update 0 has 0 samples/);
    expect(() =>
      fedAvg([
        { delta: Float32Array.of(1), samples: 1 },
        { delta: Float32Array.of(1, 2), samples: 1 },
      ]),
    ).toThrow(/CYXW_ERR_TR_LAYOUT_MISMATCH: update 1/);
    expect(() => fedAvg([])).toThrow(/no updates/);
  });

  it("trimmed mean ignores a huge outlier that moves fedAvg", () => {
    const r = rng(2);
    const honest = Array.from({ length: 9 }, () => ({ delta: randomVec(r, 10, 0.1), samples: 1 }));
    const attack = { delta: new Float32Array(10).fill(1e6), samples: 1 };
    const all = [...honest, attack];
    const trimmed = trimmedMean(all, 0.1);
    for (const v of trimmed) expect(Math.abs(v)).toBeLessThan(0.05);
    expect(Math.abs(fedAvg(all)[0]!)).toBeGreaterThan(1e4);
    // No trimming is the plain mean.
    expect(trimmedMean(honest, 0)[3]).toBeCloseTo(honest.reduce((s, u) => s + u.delta[3]!, 0) / 9, 5);
    expect(() => trimmedMean(all, 0.5)).toThrow(/trimFraction/);
  });

  it("Krum picks an honest update when f of them are Byzantine", () => {
    const r = rng(3);
    for (let trial = 0; trial < 10; trial++) {
      const f = 2;
      const centre = randomVec(r, 20);
      const honest = Array.from({ length: 5 }, () => Float32Array.from(centre, (c) => c + (r() - 0.5) * 0.1));
      const byzantine = Array.from({ length: f }, () => randomVec(r, 20, 50));
      const updates = [...byzantine, ...honest].map((delta) => ({ delta, samples: 1 }));
      const chosen = krum(updates, f);
      expect(chosen.index).toBeGreaterThanOrEqual(f);
      expect(chosen.delta).toBe(updates[chosen.index]!.delta);
    }
    expect(() => krum([{ delta: Float32Array.of(1), samples: 1 }], 1)).toThrow(/m ≥ 2f \+ 3/);
  });
});
