import { create } from "@bufbuild/protobuf";
import { AggregationSchema, type JobSpec, JobSpecSchema } from "@cyxwiz/protocol/gen";
import { describe, expect, it } from "vitest";
import { jobSettings } from "./job-settings.js";

const stored = (over: Partial<Omit<JobSpec, "$typeName">> = {}): JobSpec =>
  Object.assign(
    create(JobSpecSchema, {
      datasetRef: "mnist@v1",
      model: { case: "preset", value: "mnist-mlp" },
      optimizer: "adam",
      learningRate: 0.001,
      batchSize: 32,
      rounds: 5,
      localWork: { case: "localEpochs", value: 1 },
      shardingStrategy: "class-balanced",
      shardingSeed: 7n,
      minWorkers: 2,
      maxWorkers: 4,
      evaluationSplit: "validation",
      roundDeadlineSeconds: 120,
      quorum: 1,
      aggregation: { rule: "fedavg" },
    }),
    over,
  );

const byKey = (spec: JobSpec) => Object.fromEntries(jobSettings(spec).map((s) => [s.key, s.value]));

describe("jobSettings", () => {
  it("says in words what a stored spec runs with, defaults included", () => {
    expect(byKey(stored())).toEqual({
      optimizer: "adam, learning rate 0.001",
      batch: "32",
      local: "1 epoch",
      sharding: "class-balanced, seed 7",
      workers: "2 to 4",
      close: "when 100% of its workers sent updates, or after 120 s",
      aggregation: "fedavg",
      "server-lr": "1 (plain FedAvg)",
      augment: "off",
      evaluation: "the validation split",
    });
  });

  it("names the robust rules' parameters, local steps, a sharding column, a server learning rate and shifts", () => {
    const s = byKey(
      stored({
        localWork: { case: "localSteps", value: 40 },
        shardingStrategy: "hash",
        shardingColumn: "user",
        minWorkers: 3,
        maxWorkers: 3,
        quorum: 0.5,
        aggregation: create(AggregationSchema, {
          rule: "trimmed-mean",
          trimFraction: 0.1,
          maxNormRatio: 5,
          serverLearningRate: 1.5,
        }),
        augmentShiftPixels: 2,
      }),
    );
    expect(s.local).toBe("40 steps");
    expect(s.sharding).toBe("hash on user, seed 7");
    expect(s.workers).toBe("3");
    expect(s.close).toBe("when 50% of its workers sent updates, or after 120 s");
    expect(s.aggregation).toBe("trimmed-mean, trimming 10% at each end, rejecting norms above 5× the median");
    expect(s["server-lr"]).toBe("1.5");
    expect(s.augment).toBe("up to 2 px each way");
    expect(byKey(stored({ aggregation: create(AggregationSchema, { rule: "krum", byzantine: 1 }) })).aggregation).toBe(
      "krum, tolerating 1 Byzantine update",
    );
  });
});
