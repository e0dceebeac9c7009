/**
 * `cyxwiz nodes` and `cyxwiz job …` as a user runs them, against a fake JobService/NodeService
 * served over real HTTP (fake-compute-gateway.ts): outputs, JSON shapes and exit codes.
 */
import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { create } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import {
  JobSchema,
  JobState,
  JobWorkerSchema,
  NodeKind,
  NodeSchema,
  NodeState,
  RoundClose,
  RoundSchema,
  WorkerState,
} from "@cyxwiz/protocol/gen";
import { buildModel, chooseBackend, presetSpec } from "@cyxwiz/training";
import * as tf from "@tensorflow/tfjs-core";
import * as tfl from "@tensorflow/tfjs-layers";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  FAKE_TOKEN,
  type FakeComputeGateway,
  startFakeComputeGateway,
  type WatchStep,
} from "./fake-compute-gateway.js";
import { runCli } from "./run-cli.js";

let gw: FakeComputeGateway;
let dir: string;
const env = { CYXWIZ_TOKEN: FAKE_TOKEN };
const cli = (args: string[], extraEnv: Record<string, string> = {}) =>
  runCli([...args, "--gateway", gw.url], { ...env, ...extraEnv });

const node = (id: string, label: string, state: NodeState) =>
  create(NodeSchema, {
    nodeId: id,
    kind: NodeKind.DAEMON,
    label,
    capacity: { cores: 8, memoryBytes: 16n << 30n, backend: "cpu", region: "eu", storageBytes: 1n << 30n },
    state,
    reputation: 97.5,
    lastHeartbeat: timestampFromDate(new Date("2026-12-01T10:00:05Z")),
    registeredAt: timestampFromDate(new Date("2026-12-01T09:00:00Z")),
  });

const worker = (nodeId: string, shard: number, state: WorkerState, backend = "cpu") =>
  create(JobWorkerSchema, { nodeId, shard, state, backend, shardSamples: 5000n, kind: NodeKind.DAEMON, label: nodeId });

const round = (n: number, accuracy: number, loss: number) =>
  create(RoundSchema, {
    round: n,
    closedBy: RoundClose.QUORUM,
    updatesAccepted: 2,
    updatesRejected: n === 2 ? 1 : 0,
    global: { accuracy, loss, samples: 1000n },
  });

/** A running job on mnist@v1 with two workers, 3 rounds. */
const runningJob = (id: string) =>
  create(JobSchema, {
    id,
    owner: "owner@example.com",
    spec: { datasetRef: "mnist@v1", model: { case: "preset", value: "mnist-mlp" }, rounds: 3 },
    state: JobState.RUNNING,
    workers: [worker("n_a", 0, WorkerState.ASSIGNED), worker("n_b", 1, WorkerState.ASSIGNED)],
    createdAt: timestampFromDate(new Date("2026-12-01T10:00:00Z")),
  });

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "cyxwiz-jobs-"));
  gw = await startFakeComputeGateway({
    nodes: [node("n_a", "lab-1", NodeState.BUSY), node("n_b", "lab-2", NodeState.IDLE)],
    datasets: ["mnist@v1"],
  });
});
afterAll(async () => {
  await gw.close();
  await rm(dir, { recursive: true, force: true });
});

describe("cyxwiz nodes", () => {
  it("lists the registered workers as a table and as JSON", async () => {
    const text = await cli(["nodes"]);
    expect(text.code, text.stderr).toBe(0);
    const lines = text.stdout.trim().split("\n");
    expect(lines[0]).toMatch(
      /^NODE\s+KIND\s+LABEL\s+STATE\s+BACKEND\s+CORES\s+MEMORY\s+REGION\s+REPUTATION\s+LAST HEARTBEAT$/,
    );
    expect(lines[1]).toMatch(
      /^n_a\s+daemon\s+lab-1\s+busy\s+cpu\s+8\s+17\.2 GB\s+eu\s+97\.5\s+2026-12-01T10:00:05\.000Z$/,
    );
    expect(lines).toHaveLength(3);

    const json = await cli(["nodes", "--json"]);
    expect(JSON.parse(json.stdout).nodes[1]).toEqual({
      node: "n_b",
      kind: "daemon",
      label: "lab-2",
      state: "idle",
      backend: "cpu",
      cores: 8,
      memoryBytes: 16 * 2 ** 30,
      storageBytes: 2 ** 30,
      region: "eu",
      reputation: 97.5,
      lastHeartbeat: "2026-12-01T10:00:05.000Z",
      registeredAt: "2026-12-01T09:00:00.000Z",
    });
  });

  it("exits 2 when the gateway refuses the token", async () => {
    const r = await cli(["nodes"], { CYXWIZ_TOKEN: "wrong.token.value" });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/ListNodes .*refused the token.*CYXW_CLIENT_AUTH/);
  });
});

describe("cyxwiz job submit", () => {
  it("submits a preset job with every option and prints exactly {job} with --json", async () => {
    const before = gw.submitted.length;
    const r = await cli([
      "job",
      "submit",
      "--dataset",
      "mnist@v1",
      "--preset",
      "mnist-cnn",
      "--rounds",
      "4",
      "--workers",
      "2:3",
      "--strategy",
      "class-balanced",
      "--optimizer",
      "adam",
      "--lr",
      "0.01",
      "--batch-size",
      "64",
      "--local-epochs",
      "1",
      "--eval-split",
      "validation",
      "--deadline",
      "120",
      "--quorum",
      "0.5",
      "--aggregation",
      "krum",
      "--byzantine",
      "1",
      "--max-norm-ratio",
      "4",
      "--json",
    ]);
    expect(r.code, r.stderr).toBe(0);
    const printed = JSON.parse(r.stdout);
    expect(Object.keys(printed)).toEqual(["job"]);
    expect(printed.job).toMatch(/^job_\d+$/);
    expect(gw.submitted).toHaveLength(before + 1);
    expect(gw.submitted.at(-1)).toMatchObject({
      datasetRef: "mnist@v1",
      model: { case: "preset", value: "mnist-cnn" },
      rounds: 4,
      minWorkers: 2,
      maxWorkers: 3,
      shardingStrategy: "class-balanced",
      learningRate: 0.01,
      batchSize: 64,
      localWork: { case: "localEpochs", value: 1 },
      evaluationSplit: "validation",
      roundDeadlineSeconds: 120,
      quorum: 0.5,
      aggregation: { rule: "krum", byzantine: 1, maxNormRatio: 4 },
    });
    expect(gw.job(printed.job)?.state).toBe(JobState.WAITING_FOR_WORKERS);
  });

  it("sends a checked --model spec, says what it did without --json, and refuses a bad spec before sending", async () => {
    const spec = join(dir, "model.json");
    await writeFile(
      spec,
      JSON.stringify({ inputShape: [784], layers: [{ type: "dense", units: 16, activation: "relu" }] }),
    );
    const r = await cli(["job", "submit", "--dataset", "mnist@v1", "--model", spec]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^submitted job_\d+ on mnist@v1 \(custom\); watch it with: cyxwiz job watch job_\d+/);
    expect(JSON.parse(gw.submitted.at(-1)!.model.value as string).layers[0].units).toBe(16);

    const before = gw.submitted.length;
    const bad = join(dir, "bad-model.json");
    await writeFile(bad, JSON.stringify({ inputShape: [28, 28, 1], layers: [{ type: "dense", units: 10 }] }));
    const refused = await cli(["job", "submit", "--dataset", "mnist@v1", "--model", bad, "--json"]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain(`--model ${bad}: CYXW_ERR_TR_BAD_SPEC: layers[0].type: dense needs a flat input`);
    expect(refused.stdout).toBe("");
    expect(gw.submitted).toHaveLength(before);
  });

  it("exits 2 naming the option for bad options, and for a dataset the gateway does not know", async () => {
    const before = gw.submitted.length;
    const quorum = await cli(["job", "submit", "--dataset", "mnist@v1", "--preset", "mnist-mlp", "--quorum", "2"]);
    expect(quorum.code).toBe(2);
    expect(quorum.stderr).toMatch(/--quorum must be a fraction in \(0, 1\], e\.g\. 0\.75, got "2"/);
    const workers = await cli(["job", "submit", "--dataset", "mnist@v1", "--preset", "mnist-mlp", "--workers", "4:2"]);
    expect(workers.code).toBe(2);
    expect(workers.stderr).toMatch(/--workers: MAX \(2\) is below MIN \(4\)/);
    const missing = await cli(["job", "submit", "--preset", "mnist-mlp"]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/--dataset/);
    expect(gw.submitted).toHaveLength(before);
    const unknown = await cli(["job", "submit", "--dataset", "cifar@v2", "--preset", "mnist-mlp"]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/SubmitJob .*not found.*cifar@v2.*CYXW_CLIENT_NOT_FOUND/);
  });
});

describe("cyxwiz job watch", () => {
  it("narrates rounds on stderr, reconnects after a dropped stream, exits 0 on success with the summary", async () => {
    const script: WatchStep[] = [
      { event: { case: "worker", value: worker("n_a", 0, WorkerState.TRAINING, "webgpu") } },
      { event: { case: "roundClosed", value: round(1, 0.81, 0.62) } },
      { drop: true },
      { event: { case: "worker", value: worker("n_b", 1, WorkerState.REJECTED) } },
      { event: { case: "roundClosed", value: round(2, 0.9, 0.35) } },
      { event: { case: "roundClosed", value: round(3, 0.93, 0.24) } },
      { event: { case: "worker", value: worker("n_a", 0, WorkerState.DONE, "webgpu") } },
      { event: { case: "state", value: JobState.SUCCEEDED } },
    ];
    gw.addJob(runningJob("job_watch_ok"), script);
    const calls = gw.watchCalls;
    const r = await cli(["job", "watch", "job_watch_ok", "--json"]);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({
      job: "job_watch_ok",
      state: "succeeded",
      rounds: 3,
      accuracy: 0.93,
      loss: 0.24,
      workers: [
        { node: "n_a", backend: "webgpu", samples: 5000 },
        { node: "n_b", backend: "cpu", samples: 5000 },
      ],
    });
    expect(Object.keys(JSON.parse(r.stdout))).toEqual(["job", "state", "rounds", "accuracy", "loss", "workers"]);
    expect(gw.watchCalls - calls).toBe(2);
    const lines = r.stderr.trim().split("\n");
    const rounds = lines.filter((l) => l.startsWith("round "));
    expect(rounds).toEqual([
      "round 1/3  loss 0.6200  accuracy 81.00%  accepted 2  rejected 0  closed by quorum",
      "round 2/3  loss 0.3500  accuracy 90.00%  accepted 2  rejected 1  closed by quorum",
      "round 3/3  loss 0.2400  accuracy 93.00%  accepted 2  rejected 0  closed by quorum",
    ]);
    expect(r.stderr).toMatch(/watch: the stream dropped .*; reconnecting in/);
    expect(r.stderr).toContain("worker n_a (n_a) training on webgpu, shard 0");
    expect(r.stderr).toContain("worker n_b (n_b) rejected on cpu, shard 1");
    expect(r.stderr).toContain("worker n_a (n_a) done on webgpu, shard 0");
    expect(lines.at(-1)).toMatch(/^job job_watch_ok: succeeded/);
  });

  it("prints a human summary without --json, and opens a stream again that ended before the job", async () => {
    gw.addJob(runningJob("job_watch_text"), [
      { event: { case: "roundClosed", value: round(1, 0.5, 1.25) } },
      { end: true },
      { event: { case: "state", value: JobState.SUCCEEDED } },
    ]);
    const r = await cli(["job", "watch", "job_watch_text"]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/watch: the stream ended before the job did; reconnecting in 0\.25s/);
    expect(r.stderr.match(/^round 1\/3/gm)).toHaveLength(1);
    expect(r.stdout.trim()).toBe(
      "job job_watch_text succeeded after 1 rounds: accuracy 50.00%, loss 1.2500 (2 workers)",
    );
  });

  it("exits 3 when the job fails and 4 when it is cancelled, still printing the summary", async () => {
    const failing = runningJob("job_watch_fail");
    gw.addJob(failing, [
      { event: { case: "roundClosed", value: round(1, 0.4, 1.5) } },
      { event: { case: "state", value: JobState.FAILED } },
    ]);
    gw.job("job_watch_fail")!.reason = "every update of round 2 was rejected";
    const failed = await cli(["job", "watch", "job_watch_fail", "--json"]);
    expect(failed.code).toBe(3);
    expect(JSON.parse(failed.stdout)).toMatchObject({ state: "failed", rounds: 1, accuracy: 0.4, loss: 1.5 });
    expect(failed.stderr).toContain("cyxwiz: job job_watch_fail failed: every update of round 2 was rejected");

    gw.addJob(runningJob("job_watch_cancel"), [
      { event: { case: "state", value: JobState.WAITING_FOR_KEYS } },
      { event: { case: "state", value: JobState.CANCELLED } },
    ]);
    const cancelled = await cli(["job", "watch", "job_watch_cancel", "--json"]);
    expect(cancelled.code).toBe(4);
    expect(cancelled.stderr).toContain("job job_watch_cancel: waiting-for-keys");
    expect(cancelled.stderr).toMatch(/grant the assigned workers their chunk keys from the dashboard/);
    expect(JSON.parse(cancelled.stdout)).toMatchObject({ state: "cancelled", rounds: 0, accuracy: null, loss: null });
  });

  it("exits 2 for a job the gateway does not know, without reconnecting", async () => {
    const r = await cli(["job", "watch", "job_nope"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/WatchJob job_nope .*not found.*CYXW_CLIENT_NOT_FOUND/);
    expect(r.stderr).not.toMatch(/reconnecting/);
  });
});

describe("cyxwiz job get, list and cancel", () => {
  it("shows a job with its rounds and workers", async () => {
    const job = runningJob("job_get");
    job.rounds = [round(1, 0.8, 0.7), round(2, 0.88, 0.4)];
    job.currentRound = 2;
    gw.addJob(job);
    const json = await cli(["job", "get", "job_get", "--json"]);
    expect(json.code, json.stderr).toBe(0);
    const d = JSON.parse(json.stdout);
    expect(d).toMatchObject({
      id: "job_get",
      state: "running",
      dataset: "mnist@v1",
      model: "mnist-mlp",
      round: 2,
      rounds: 3,
      accuracy: 0.88,
      loss: 0.4,
    });
    expect(d.roundsClosed.map((r: { round: number }) => r.round)).toEqual([1, 2]);
    expect(d.workers[0]).toMatchObject({ node: "n_a", state: "assigned", shard: 0, samples: 5000 });
    const text = await cli(["job", "get", "job_get"]);
    expect(text.stdout).toMatch(/^job {7}job_get\nstate {5}running\n/);
    expect(text.stdout).toContain("round 2/3  loss 0.4000  accuracy 88.00%");
    expect(text.stdout).toMatch(/NODE\s+LABEL\s+SHARD\s+STATE\s+BACKEND\s+SAMPLES\s+SAMPLES\/S/);
    const missing = await cli(["job", "get", "job_nope"]);
    expect(missing.code).toBe(2);
  });

  it("shows an ended job's workers as done, or as rejected when their update was", async () => {
    const job = runningJob("job_get_ended");
    job.state = JobState.SUCCEEDED;
    job.workers = [worker("n_a", 0, WorkerState.DONE), worker("n_b", 1, WorkerState.REJECTED)];
    gw.addJob(job);
    const json = await cli(["job", "get", "job_get_ended", "--json"]);
    expect(json.code, json.stderr).toBe(0);
    const d = JSON.parse(json.stdout);
    expect(d.workers.map((w: { node: string; state: string }) => [w.node, w.state])).toEqual([
      ["n_a", "done"],
      ["n_b", "rejected"],
    ]);
    const text = await cli(["job", "get", "job_get_ended"]);
    expect(text.stdout).toMatch(/^n_a\s+n_a\s+0\s+done\s/m);
    expect(text.stdout).toMatch(/^n_b\s+n_b\s+1\s+rejected\s/m);
  });

  it("lists jobs newest first", async () => {
    const r = await cli(["job", "list", "--json"]);
    expect(r.code, r.stderr).toBe(0);
    const { jobs } = JSON.parse(r.stdout);
    expect(jobs.length).toBeGreaterThan(1);
    expect(jobs[0]).toEqual(expect.objectContaining({ id: expect.any(String), state: expect.any(String) }));
    const text = await cli(["job", "list"]);
    expect(text.stdout.split("\n")[0]).toMatch(
      /^JOB\s+STATE\s+DATASET\s+MODEL\s+ROUND\s+ACCURACY\s+WORKERS\s+CREATED$/,
    );
    expect(text.stdout).toMatch(/job_get\s+running\s+mnist@v1\s+mnist-mlp\s+2\/3\s+88\.00%\s+2/);
  });

  it("cancels a job with a reason; cancelling it again or an unknown job exits 2", async () => {
    gw.addJob(runningJob("job_cancel"));
    const r = await cli(["job", "cancel", "job_cancel", "--reason", "wrong dataset", "--json"]);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({ job: "job_cancel", state: "cancelled", reason: "wrong dataset" });
    expect(gw.job("job_cancel")?.state).toBe(JobState.CANCELLED);
    const again = await cli(["job", "cancel", "job_cancel"]);
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/has ended.*CYXW_CLIENT_REFUSED/);
    expect((await cli(["job", "cancel", "job_nope"])).code).toBe(2);
  });
});

describe("cyxwiz job model", () => {
  it("writes model.json and the weights file it names, which TF.js loads into the same model", async () => {
    const spec = presetSpec("mnist-mlp");
    await chooseBackend("cpu", spec);
    const trained = buildModel(spec, 10);
    let artifacts: tf.io.ModelArtifacts | undefined;
    await trained.save(
      tf.io.withSaveHandler(async (a) => {
        artifacts = a;
        return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: "JSON" } };
      }),
    );
    const weights = new Uint8Array(artifacts!.weightData as ArrayBuffer);
    const modelJson = JSON.stringify({
      format: "layers-model",
      generatedBy: "cli-jobs.test",
      modelTopology: artifacts!.modelTopology,
      weightsManifest: [{ paths: ["weights.bin"], weights: artifacts!.weightSpecs }],
    });
    const done = runningJob("job_model");
    done.state = JobState.SUCCEEDED;
    gw.addJob(done);
    gw.setModel("job_model", { modelJson, weights, round: 3 });

    const out = join(dir, "model-out");
    const r = await cli(["job", "model", "job_model", "--out", out]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.trim()).toBe(join(out, "model.json"));
    expect((await readdir(out)).sort()).toEqual(["model.json", "weights.bin"]);
    const json = await cli(["job", "model", "job_model", "--out", out, "--json"]);
    expect(JSON.parse(json.stdout)).toEqual({
      job: "job_model",
      round: 3,
      model: join(out, "model.json"),
      weights: join(out, "weights.bin"),
      weightsBytes: weights.length,
    });

    const saved = JSON.parse(await readFile(join(out, "model.json"), "utf8"));
    const bin = await readFile(join(out, saved.weightsManifest[0].paths[0]));
    const loaded = await tfl.loadLayersModel(
      tf.io.fromMemory({
        modelTopology: saved.modelTopology,
        weightSpecs: saved.weightsManifest[0].weights,
        weightData: bin.buffer.slice(bin.byteOffset, bin.byteOffset + bin.byteLength),
      }),
    );
    const x = tf.randomUniform([3, 784]);
    const expected = (trained.predict(x) as tf.Tensor).arraySync() as number[][];
    const got = (loaded.predict(x) as tf.Tensor).arraySync() as number[][];
    for (const [i, row] of got.entries())
      for (const [j, p] of row.entries()) expect(p).toBeCloseTo(expected[i]![j]!, 6);
  });

  it("exits 1 and writes nothing when the weights do not match model.json; 2 when there is no model yet", async () => {
    gw.addJob(runningJob("job_model_bad"));
    const modelJson = JSON.stringify({
      modelTopology: { class_name: "Sequential" },
      weightsManifest: [{ paths: ["weights.bin"], weights: [{ name: "w", shape: [2, 3], dtype: "float32" }] }],
    });
    gw.setModel("job_model_bad", { modelJson, weights: new Uint8Array(20), round: 1 });
    const out = join(dir, "bad-model-out");
    const r = await cli(["job", "model", "job_model_bad", "--out", out]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("the gateway sent 20 bytes of weights; model.json describes 24 bytes");
    await expect(readdir(out)).rejects.toMatchObject({ code: "ENOENT" });

    gw.setModel("job_model_bad", {
      modelJson: modelJson.replace("weights.bin", "../escape.bin"),
      weights: new Uint8Array(24),
      round: 1,
    });
    const outside = await cli(["job", "model", "job_model_bad", "--out", out]);
    expect(outside.code).toBe(1);
    expect(outside.stderr).toMatch(/"\.\.\/escape\.bin": not a plain file name/);

    gw.addJob(runningJob("job_model_none"));
    const none = await cli(["job", "model", "job_model_none", "--out", out]);
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/no model yet.*CYXW_CLIENT_REFUSED/);
    await expect(readFile(join(out, "model.json"))).rejects.toMatchObject({ code: "ENOENT" });
  });
});
