import { Code, ConnectError } from "@connectrpc/connect";
import { type Assignment, JobState, WorkerState } from "@cyxwiz/protocol/gen";
import { decodeUpdate } from "@cyxwiz/training";
import * as tf from "@tensorflow/tfjs-core";
import * as tfl from "@tensorflow/tfjs-layers";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type JobWorld, openJobWorld, type TestNode, testSpec } from "../../test-support/job-world.js";
import { jobDataset } from "./job-dataset.js";
import { planJob, specFromJson } from "./job-spec.js";

let world: JobWorld;
let ref: string;

beforeAll(async () => {
  world = await openJobWorld();
  await world.addUser("alice");
  await world.addUser("bob");
  ({ ref } = await world.dataset({ owner: "alice", name: "points" }));
});
afterAll(async () => {
  await world.close();
  await world.remove();
});

const codeOf = (p: Promise<unknown>) =>
  p.then(
    () => "ok",
    (e: unknown) => `${Code[ConnectError.from(e).code]}: ${ConnectError.from(e).rawMessage}`,
  );

/** The first assignment a node's stream delivers. */
async function firstAssignment(node: TestNode): Promise<Assignment> {
  const abort = new AbortController();
  try {
    for await (const m of node.client.watchAssignments({}, { signal: abort.signal })) {
      if (m.event.case === "assignment") return m.event.value;
    }
  } finally {
    abort.abort();
  }
  throw new Error("stream ended");
}

/** Nodes not in any job any more, so each test starts from idle workers of its own. */
async function retireNodes() {
  await world.sql("UPDATE nodes SET state = 'left'");
}

describe("a job end to end, in memory", () => {
  it("schedules a worker, hands it its shard, aggregates its updates round by round, evaluates, and exports a TF.js model", async () => {
    await retireNodes();
    const alice = world.jobs("alice");
    const { job } = await alice.submitJob({ spec: testSpec(ref, { rounds: 2 }) });
    expect(job?.state).toBe(JobState.WAITING_FOR_WORKERS);
    expect(job?.id).toMatch(/^job_[0-9a-f]{24}$/);
    const id = job!.id;

    await world.engine.tick();
    expect((await alice.getJob({ id })).job?.reason).toMatch(/0 of 1 eligible/);

    const node = await world.addNode({ operator: "alice" });
    await world.engine.tick();
    const running = (await alice.getJob({ id })).job!;
    expect(running.state).toBe(JobState.RUNNING);
    expect(running.workers.map((w) => w.nodeId)).toEqual([node.nodeId]);

    const a = await firstAssignment(node);
    expect(a.round).toBe(1);
    expect(a.labels).toEqual(["neg", "pos"].filter((l) => a.labels.includes(l)));
    expect(a.featureColumns).toEqual(["x0", "x1", "x2", "x3"]);
    const version = await world.store.datasets.get("alice", "points", 1);
    expect(a.chunkIndices.length).toBeGreaterThan(0);
    expect(a.chunkIndices.length).toBeLessThanOrEqual(version.numChunks);

    // The shard's chunks come with proofs; a chunk outside the shard is refused.
    const fetched = [];
    for await (const m of node.client.fetchShard({ jobId: id, chunkIndices: a.chunkIndices })) fetched.push(m);
    expect(fetched.map((m) => m.chunk?.chunkIndex)).toEqual(a.chunkIndices);

    const global = decodeUpdate(a.globalWeights);
    const delta = new Float32Array(global.length).fill(0.01);
    expect(await node.submit(id, 1, delta, 50)).toMatchObject({ accepted: true, reason: "" });
    await world.engine.tick();
    const afterOne = (await alice.getJob({ id })).job!;
    expect(afterOne.currentRound).toBe(2);
    expect(afterOne.rounds[0]?.updatesAccepted).toBe(1);
    expect(afterOne.rounds[0]?.global?.samples).toBeGreaterThan(0n);
    const r1 = decodeUpdate((await world.store.jobs.model(id, 1))!);
    expect(r1[5]).toBeCloseTo(global[5]! + 0.01, 6);

    const a2 = await firstAssignment(node);
    expect(a2.round).toBe(2);
    expect(await node.submit(id, 1, delta, 50)).toMatchObject({
      accepted: false,
      reason: expect.stringMatching(/round 1 is not open/),
    });
    expect(await node.submit(id, 2, delta, 50)).toMatchObject({ accepted: true });
    await world.engine.tick();
    const done = (await alice.getJob({ id })).job!;
    expect(done.state).toBe(JobState.SUCCEEDED);
    expect(done.rounds.map((r) => r.closedBy)).toEqual([1, 1]);
    expect(done.workers.map((w) => [w.nodeId, w.state])).toEqual([[node.nodeId, WorkerState.DONE]]);
    expect((await world.store.nodePool.get(node.nodeId))?.state).toBe("idle");
    expect((await world.store.nodePool.get(node.nodeId))?.reputation).toBe(52);

    // The model downloads as TF.js's model.json + weights, and loads with the same predictions.
    const model = await alice.getModel({ id });
    expect(model.round).toBe(2);
    const json = JSON.parse(model.modelJson);
    expect(json.weightsManifest[0].paths).toEqual(["weights.bin"]);
    const loaded = await tfl.loadLayersModel(
      tf.io.fromMemory({
        modelTopology: json.modelTopology,
        weightSpecs: json.weightsManifest[0].weights,
        weightData: model.weights.slice().buffer,
      }),
    );
    const stored = decodeUpdate((await world.store.jobs.model(id, 2))!);
    const flat = new Float32Array(
      (await Promise.all(loaded.getWeights().map((w) => w.data()))).flatMap((d) => [...(d as Float32Array)]),
    );
    expect(flat).toEqual(stored);
    const x = tf.tensor2d([[0.1, 0.2, -0.3, 0.4]]);
    const p = (loaded.predict(x) as tf.Tensor).dataSync();
    expect(p.length).toBe(2);
    expect(p[0]! + p[1]!).toBeCloseTo(1, 5);
    loaded.dispose();
  });

  it("weighs an update by at most its shard's samples × local epochs, whatever the worker claims", async () => {
    await retireNodes();
    const alice = world.jobs("alice");
    const { job } = await alice.submitJob({
      spec: testSpec(ref, { rounds: 1, localWork: { case: "localEpochs", value: 3 } }),
    });
    const id = job!.id;
    const node = await world.addNode({ operator: "alice" });
    await world.engine.tick();
    const a = await firstAssignment(node);
    const shardSamples = a.samples.reduce((n, r) => n + Number(r.end - r.start), 0);
    expect(shardSamples).toBeGreaterThan(0);
    const delta = new Float32Array(decodeUpdate(a.globalWeights).length).fill(0.01);
    expect(await node.submit(id, 1, delta, 1_000_000_000)).toMatchObject({ accepted: true });
    const [update] = await world.store.jobs.updates(id, 1);
    expect(update?.samples).toBe(shardSamples * 3);
  });

  it("refuses a chunk outside the worker's shard, and a job it is not part of", async () => {
    await retireNodes();
    const alice = world.jobs("alice");
    const { job } = await alice.submitJob({ spec: testSpec(ref, { minWorkers: 2, maxWorkers: 2 }) });
    const [n1, n2] = [await world.addNode({ operator: "alice" }), await world.addNode({ operator: "alice" })];
    await world.engine.tick();
    const j = (await alice.getJob({ id: job!.id })).job!;
    expect(j.state).toBe(JobState.RUNNING);
    const shards = await world.store.jobs.shards(j.id);
    const mine = shards.find((s) => s.nodeId === n1!.nodeId)!;
    const other = shards.find((s) => s.nodeId === n2!.nodeId)!;
    const foreign = other.chunkIndices.find((c) => !mine.chunkIndices.includes(c));
    expect(foreign).toBeDefined();
    const drain = async (chunkIndices: number[]) => {
      for await (const _ of n1!.client.fetchShard({ jobId: j.id, chunkIndices })) void _;
    };
    expect(await codeOf(drain([foreign!]))).toBe(
      `PermissionDenied: chunk ${foreign} is not in your shard (shard ${mine.shard}: chunks ${mine.chunkIndices.join(", ")})`,
    );
    const stranger = await world.addNode();
    expect(await codeOf(stranger.submit(j.id, 1, new Float32Array(3)))).toMatch(
      /^PermissionDenied: node .* is not a worker/,
    );
    await alice.cancelJob({ id: j.id });
  });

  it("refuses an update with a bad signature and stores nothing; refuses a wrong-shaped one naming both sizes; rejects NaN and lowers reputation", async () => {
    await retireNodes();
    const alice = world.jobs("alice");
    const { job } = await alice.submitJob({ spec: testSpec(ref) });
    const node = await world.addNode({ operator: "alice" });
    await world.engine.tick();
    const id = job!.id;
    const record = await world.store.jobs.get(id);
    const plan = planJob(specFromJson(record.spec), (await jobDataset(world.deps, record)).layout);
    const forger = world.node(node.nodeId, (await world.addNode()).identity, node.agreementSecret);
    expect(await codeOf(forger.submit(id, 1, new Float32Array(plan.parameters)))).toMatch(
      /^Unauthenticated: the update's signature does not verify/,
    );
    expect(await world.store.jobs.updates(id, 1)).toEqual([]);

    expect(await codeOf(node.submit(id, 1, new Float32Array(7)))).toBe(
      `InvalidArgument: delta: the update has 7 values but the model has ${plan.parameters} parameters`,
    );
    const nan = new Float32Array(plan.parameters);
    nan[3] = Number.NaN;
    const answer = await node.submit(id, 1, nan);
    expect(answer.accepted).toBe(false);
    expect(answer.reason).toMatch(/value 3 of the delta is NaN/);
    expect((await world.store.nodePool.get(node.nodeId))?.reputation).toBe(40);
    const [stored] = await world.store.jobs.updates(id, 1);
    expect(stored).toMatchObject({ accepted: false, delta: undefined });
    // The sender is out of the job, rejected (not lost): its shard goes back to the pool.
    const got = (await alice.getJob({ id })).job!;
    expect(got.workers[0]?.state).toBe(WorkerState.REJECTED);
    expect((await world.store.jobs.shards(id)).every((s) => s.nodeId === undefined)).toBe(true);
    // It stays rejected when the job ends: only workers still in the job are done.
    const cancelled = (await alice.cancelJob({ id })).job!;
    expect(cancelled.workers.map((w) => w.state)).toEqual([WorkerState.REJECTED]);
  });
});
