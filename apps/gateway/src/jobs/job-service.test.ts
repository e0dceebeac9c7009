import { Code, ConnectError } from "@connectrpc/connect";
import { JobState } from "@cyxwiz/protocol/gen";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type JobWorld, openJobWorld, testSpec } from "../../test-support/job-world.js";

let world: JobWorld;
let ref: string;

beforeAll(async () => {
  world = await openJobWorld();
  await world.addUser("alice");
  await world.addUser("bob");
  ({ ref } = await world.dataset({ owner: "alice", name: "points" }));
  await world.dataset({ owner: "bob", name: "secret" });
  await world.dataset({ owner: "alice", name: "bytes", opaque: true });
  await world.dataset({ owner: "alice", name: "streamed", encryption: "stream" });
});
afterAll(async () => {
  await world.close();
  await world.remove();
});

const refusal = (p: Promise<unknown>) =>
  p.then(
    () => "ok",
    (e: unknown) => `${Code[ConnectError.from(e).code]}: ${ConnectError.from(e).rawMessage}`,
  );

describe("SubmitJob checks the spec and the dataset, and stores nothing it refuses", () => {
  it("names the field and the bound of each bad setting", async () => {
    const alice = world.jobs("alice");
    const cases: [Record<string, unknown>, RegExp][] = [
      [
        {
          model: {
            case: "modelJson",
            value: JSON.stringify({ inputShape: [4], layers: [{ type: "lstm", units: 3 }] }),
          },
        },
        /^InvalidArgument: spec.model_json: .*layers\[0\]\.type: must be one of dense/,
      ],
      [
        {
          model: {
            case: "modelJson",
            value: JSON.stringify({
              inputShape: [4],
              layers: [
                { type: "dense", units: 4000 },
                { type: "dense", units: 4000 },
              ],
            }),
          },
        },
        /^InvalidArgument: spec.model: the model has 16,032,002 parameters; at most 5,000,000 are allowed$/,
      ],
      [{ model: { case: "modelJson", value: "{not json" } }, /^InvalidArgument: spec.model_json: is not JSON/],
      [
        { model: { case: "preset", value: "mnist-mlp" } },
        /^InvalidArgument: spec.model: the model takes 784 values per sample .* have 4$/,
      ],
      [
        { model: { case: "preset", value: "resnet" } },
        /^InvalidArgument: spec.preset: "resnet" is not a preset \(mnist-mlp, mnist-cnn\)$/,
      ],
      [{ optimizer: "rmsprop" }, /^InvalidArgument: spec.optimizer: must be sgd or adam, not "rmsprop"$/],
      [{ learningRate: 11 }, /^InvalidArgument: spec.learning_rate: must be in \(0, 10\], not 11$/],
      [{ batchSize: 5000 }, /^InvalidArgument: spec.batch_size: must be 1 to 4096, not 5000$/],
      [{ rounds: 1001 }, /^InvalidArgument: spec.rounds: must be 1 to 1000/],
      [
        { localWork: { case: "localSteps", value: 100_001 } },
        /^InvalidArgument: spec.local_steps: must be 1 to 100000/,
      ],
      [
        { shardingStrategy: "feature" },
        /^InvalidArgument: spec.sharding_strategy: must be one of sample, class-balanced, hash, custom/,
      ],
      [
        { minWorkers: 3, maxWorkers: 2 },
        /^InvalidArgument: spec.max_workers: must be from min_workers \(3\) to 64, not 2$/,
      ],
      [{ maxWorkers: 65 }, /^InvalidArgument: spec.max_workers/],
      [{ evaluationSplit: "train" }, /^InvalidArgument: spec.evaluation_split: must be validation or test/],
      [{ roundDeadlineSeconds: 2 }, /^InvalidArgument: spec.round_deadline_seconds: must be 5 to 86400, not 2$/],
      [{ quorum: 1.5 }, /^InvalidArgument: spec.quorum: must be in \(0, 1\], not 1.5$/],
      [
        { aggregation: { rule: "median" } },
        /^InvalidArgument: spec.aggregation.rule: must be one of fedavg, trimmed-mean, krum/,
      ],
      [
        { aggregation: { rule: "trimmed-mean", trimFraction: 0.6 } },
        /^InvalidArgument: spec.aggregation.trim_fraction/,
      ],
      [
        { aggregation: { rule: "krum", byzantine: 2 }, maxWorkers: 4 },
        /^InvalidArgument: spec.aggregation.byzantine: Krum needs at least 2f \+ 3/,
      ],
      [
        { aggregation: { rule: "fedavg", serverLearningRate: 3.5 } },
        /^InvalidArgument: spec.aggregation.server_learning_rate: must be in \(0, 3\] \(0: 1, plain FedAvg\), not 3.5$/,
      ],
      [
        { aggregation: { rule: "fedavg", serverLearningRate: -1 } },
        /^InvalidArgument: spec.aggregation.server_learning_rate: must be in \(0, 3\]/,
      ],
      [{ augmentShiftPixels: 5 }, /^InvalidArgument: spec.augment_shift_pixels: must be 0 \(off\) to 4, not 5$/],
      [
        { augmentShiftPixels: 1 },
        /^InvalidArgument: spec.augment_shift_pixels: shifting needs an image feature column .*; \S+ has x0 \[\]/,
      ],
      [
        { shardingStrategy: "hash", shardingColumn: "nope" },
        /^InvalidArgument: spec.sharding_column: the dataset has no column "nope"$/,
      ],
    ];
    for (const [fields, expected] of cases) {
      expect(await refusal(alice.submitJob({ spec: testSpec(ref, fields) })), JSON.stringify(fields)).toMatch(expected);
    }
    expect((await alice.listJobs({})).jobs).toEqual([]);
  });

  it("answers another owner's dataset exactly as a missing one", async () => {
    const alice = world.jobs("alice");
    expect(await refusal(alice.submitJob({ spec: testSpec("bob/secret@v1") }))).toBe(
      "NotFound: dataset bob/secret@v1 not found",
    );
    expect(await refusal(alice.submitJob({ spec: testSpec("secret@v1") }))).toBe(
      "NotFound: dataset alice/secret@v1 not found",
    );
    expect(await refusal(alice.submitJob({ spec: testSpec("bob/nothing@v1") }))).toBe(
      "NotFound: dataset bob/nothing@v1 not found",
    );
  });

  it("refuses a dataset that is not samples, and one encrypted without per-chunk keys", async () => {
    const alice = world.jobs("alice");
    expect(await refusal(alice.submitJob({ spec: testSpec("bytes@v1") }))).toMatch(
      /^FailedPrecondition: bytes@v1 is not a dataset of samples/,
    );
    expect(await refusal(alice.submitJob({ spec: testSpec("streamed@v1") }))).toMatch(
      /^FailedPrecondition: streamed@v1 is encrypted with AES-256-GCM-STREAM-v1, .*re-upload with per-chunk keys \(AES-256-GCM-CHUNKKEY-v1\)$/,
    );
  });

  it("shows a job to its owner only; cancel revokes its workers", async () => {
    const alice = world.jobs("alice");
    const bob = world.jobs("bob");
    const { job } = await alice.submitJob({ spec: testSpec(ref, { rounds: 3 }) });
    const id = job!.id;
    expect(await refusal(bob.getJob({ id }))).toBe(`NotFound: job ${id} not found`);
    expect(await refusal(bob.cancelJob({ id }))).toBe(`NotFound: job ${id} not found`);
    expect(await refusal(bob.getModel({ id }))).toBe(`NotFound: job ${id} not found`);
    expect((await bob.listJobs({})).jobs).toEqual([]);
    expect((await alice.listJobs({})).jobs.map((j) => j.id)).toEqual([id]);

    const node = await world.addNode({ operator: "alice" });
    await world.engine.tick();
    const abort = new AbortController();
    const seen: string[] = [];
    const stream = (async () => {
      for await (const m of node.client.watchAssignments({}, { signal: abort.signal })) {
        seen.push(m.event.case === "assignment" ? `assignment ${m.event.value.round}` : `revoked ${m.event.value}`);
        if (m.event.case === "revokedJobId") break;
        await alice.cancelJob({ id, reason: "changed my mind" });
      }
    })();
    await stream;
    abort.abort();
    expect(seen).toEqual(["assignment 1", `revoked ${id}`]);
    const cancelled = (await alice.getJob({ id })).job!;
    expect(cancelled.state).toBe(JobState.CANCELLED);
    expect(cancelled.reason).toBe("changed my mind");
    expect((await world.store.nodePool.get(node.nodeId))?.state).toBe("idle");
    expect(await refusal(alice.getModel({ id }))).toMatch(/^FailedPrecondition: job .* has no trained model yet/);
  });

  it("starts jobs of the same seed from the same model, and another seed from another", async () => {
    const alice = world.jobs("alice");
    const round0 = async (seed: bigint) => {
      const { job } = await alice.submitJob({ spec: testSpec(ref, { rounds: 1, shardingSeed: seed }) });
      const weights = await world.store.jobs.model(job!.id, 0);
      await alice.cancelJob({ id: job!.id });
      return Buffer.from(weights!).toString("hex");
    };
    const first = await round0(7n);
    expect(first.length).toBeGreaterThan(0);
    expect(await round0(7n)).toBe(first);
    expect(await round0(8n)).not.toBe(first);
  });
});
