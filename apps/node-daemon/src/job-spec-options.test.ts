import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type JobSubmitOptions, jobSpecOf } from "./job-spec-options.js";

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "cyxwiz-jobspec-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const base: JobSubmitOptions = { dataset: "mnist@v1", preset: "mnist-mlp" };

/** The CliError a set of options is refused with: its exit code and message. */
async function refusal(opts: Partial<JobSubmitOptions>) {
  try {
    await jobSpecOf({ ...base, ...opts } as JobSubmitOptions);
  } catch (e) {
    return { code: (e as { exitCode?: number }).exitCode, message: (e as Error).message };
  }
  return { code: 0, message: "accepted" };
}

describe("jobSpecOf: cyxwiz job submit's options as a JobSpec", () => {
  it("maps every option to its JobSpec field, leaving the ones not given to the gateway", async () => {
    const spec = await jobSpecOf({
      ...base,
      rounds: "5",
      workers: "2:4",
      strategy: "class-balanced",
      seed: "7",
      column: "label",
      optimizer: "sgd",
      lr: "0.05",
      batchSize: "32",
      localSteps: "20",
      evalSplit: "test",
      deadline: "90",
      quorum: "0.75",
      aggregation: "trimmed-mean",
      trim: "0.1",
      maxNormRatio: "3",
      serverLr: "1.5",
      augmentShift: "2",
    });
    expect(spec).toMatchObject({
      datasetRef: "mnist@v1",
      model: { case: "preset", value: "mnist-mlp" },
      localWork: { case: "localSteps", value: 20 },
      rounds: 5,
      minWorkers: 2,
      maxWorkers: 4,
      shardingStrategy: "class-balanced",
      shardingSeed: 7n,
      shardingColumn: "label",
      optimizer: "sgd",
      learningRate: 0.05,
      batchSize: 32,
      evaluationSplit: "test",
      roundDeadlineSeconds: 90,
      quorum: 0.75,
      augmentShiftPixels: 2,
      aggregation: { rule: "trimmed-mean", trimFraction: 0.1, byzantine: 0, maxNormRatio: 3, serverLearningRate: 1.5 },
    });
    const bare = await jobSpecOf(base);
    expect(bare).toMatchObject({ rounds: 0, optimizer: "", learningRate: 0, localWork: { case: undefined } });
    expect((await jobSpecOf({ ...base, aggregation: "krum", byzantine: "1" })).aggregation?.byzantine).toBe(1);
    expect((await jobSpecOf({ ...base, localEpochs: "2" })).localWork).toEqual({ case: "localEpochs", value: 2 });
  });

  it("refuses bad options with exit 2, naming the option", async () => {
    const cases: [Partial<JobSubmitOptions>, RegExp][] = [
      [{ dataset: "mnist" }, /--dataset must name a version as name@vN/],
      [{ dataset: "mnist@v0" }, /--dataset/],
      [{ preset: undefined }, /exactly one of --preset NAME or --model FILE/],
      [{ model: "spec.json" }, /exactly one of --preset NAME or --model FILE/],
      [{ preset: "resnet" }, /--preset must be one of mnist-mlp, mnist-cnn, got "resnet"/],
      [{ rounds: "0" }, /--rounds must be a whole number from 1/],
      [{ rounds: "2.5" }, /--rounds/],
      [{ workers: "3" }, /--workers must be MIN:MAX/],
      [{ workers: "3:2" }, /--workers: MAX \(2\) is below MIN \(3\)/],
      [{ workers: "0:2" }, /--workers MIN must be a whole number from 1/],
      [{ strategy: "random" }, /--strategy must be one of sample, class-balanced, hash/],
      [{ optimizer: "rmsprop" }, /--optimizer must be one of sgd, adam/],
      [{ lr: "-1" }, /--lr must be a positive number/],
      [{ lr: "fast" }, /--lr/],
      [{ batchSize: "0" }, /--batch-size/],
      [{ localEpochs: "1", localSteps: "5" }, /at most one of --local-epochs and --local-steps/],
      [{ evalSplit: "train" }, /--eval-split must be one of validation, test/],
      [{ deadline: "-5" }, /--deadline/],
      [{ quorum: "1.5" }, /--quorum must be a fraction in \(0, 1\]/],
      [{ quorum: "0" }, /--quorum/],
      [{ aggregation: "median" }, /--aggregation must be one of fedavg, trimmed-mean, krum/],
      [{ trim: "0.1" }, /--trim .* needs --aggregation trimmed-mean/],
      [{ aggregation: "trimmed-mean", trim: "0.5" }, /--trim must be a fraction in \(0, 0.5\)/],
      [{ byzantine: "1" }, /--byzantine .* needs --aggregation krum/],
      [{ maxNormRatio: "-2" }, /--max-norm-ratio/],
      [{ serverLr: "0" }, /--server-lr must be a number in \(0, 3\], e\.g\. 1\.5/],
      [{ serverLr: "4" }, /--server-lr/],
      [{ augmentShift: "5" }, /--augment-shift must be a whole number from 0 to 4, got "5"/],
      [{ augmentShift: "1.5" }, /--augment-shift/],
    ];
    for (const [opts, message] of cases) {
      const r = await refusal(opts);
      expect(r.code, JSON.stringify(opts)).toBe(2);
      expect(r.message, JSON.stringify(opts)).toMatch(message);
    }
  });

  it("checks a --model file before sending it: the field of a bad spec, the line and column of bad JSON", async () => {
    const good = join(dir, "good.json");
    const spec = { inputShape: [784], layers: [{ type: "dense", units: 32, activation: "relu" }] };
    await writeFile(good, JSON.stringify(spec, null, 2));
    const sent = await jobSpecOf({ dataset: "mnist@v1", model: good });
    expect(sent.model.case).toBe("modelJson");
    expect(JSON.parse(sent.model.value as string)).toEqual(spec);

    const badField = join(dir, "bad-field.json");
    await writeFile(badField, JSON.stringify({ inputShape: [784], layers: [{ type: "dense", units: 0 }] }));
    const r1 = await refusal({ preset: undefined, model: badField });
    expect(r1.code).toBe(2);
    expect(r1.message).toContain(
      `--model ${badField}: CYXW_ERR_TR_BAD_SPEC: layers[0].units: must be a positive integer`,
    );

    const badJson = join(dir, "bad.json");
    await writeFile(badJson, '{\n  "inputShape": [784],\n  "layers": []\n  "optimizer": "sgd"\n}\n');
    const r2 = await refusal({ preset: undefined, model: badJson });
    expect(r2.code).toBe(2);
    expect(r2.message).toMatch(new RegExp(`^--model ${badJson.replaceAll("/", "\\/")}:4:\\d+: not JSON`));

    const r3 = await refusal({ preset: undefined, model: join(dir, "missing.json") });
    expect(r3).toMatchObject({ code: 2, message: expect.stringMatching(/cannot read .*missing.json: ENOENT/) });
  });
});
