import { describe, expect, it } from "vitest";
import { closedRound, runningJob } from "./job-fixtures.js";
import { globalSeries, lastAccuracy, workerSeries } from "./job-series.js";

describe("job series", () => {
  it("global points per evaluated round, worker lines per node, the last accuracy", () => {
    const job = runningJob({ rounds: [closedRound(2, 0.8), closedRound(1, 0.6)] });
    expect(globalSeries(job)).toEqual([
      { round: 1, loss: 1 - 0.6, accuracy: 0.6 },
      { round: 2, loss: 1 - 0.8, accuracy: 0.8 },
    ]);
    const w = workerSeries(job);
    expect(w.nodes).toEqual(["node_a", "node_b"]);
    expect(w.rows[1]).toMatchObject({ round: 2, "accuracy:node_a": 0.8 - 0.02, "accuracy:node_b": 0.8 - 0.04 });
    expect(lastAccuracy(job)).toBe(0.8);
    expect(lastAccuracy(runningJob())).toBeUndefined();
  });
});
