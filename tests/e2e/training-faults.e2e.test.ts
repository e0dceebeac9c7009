/**
 * Jobs survive what workers do wrong (docs/compute.md): a daemon killed mid-job (its shard is
 * reassigned and the job completes), a worker sending NaN and scaled-up updates (rejected, its
 * reputation drops, robust aggregation keeps the accuracy), and a small CNN trained by daemons.
 * MNIST t10k, 8,000 train / 2,000 validation, unencrypted; every accuracy is the global model's on
 * the 2,000 held-out samples.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mnistPath } from "../../test-support/datasets.js";
import { startAdversary } from "./support/adversary-worker.js";
import { runCli } from "./support/cli.js";
import { type DaemonProcess, startDaemonProcess } from "./support/daemon-process.js";
import { type GatewayProcess, startGatewayProcess } from "./support/gateway-process.js";

let gw: GatewayProcess;
let dir: string;
const daemons: DaemonProcess[] = [];

async function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return runCli([...args, "--gateway", gw.url], { CYXWIZ_TOKEN: gw.adminToken, CYXWIZ_STATE_DIR: join(dir, "state") });
}

async function cliJson<T>(args: string[]): Promise<T> {
  const r = await cli([...args, "--json"]);
  expect(r.code, `${args.join(" ")}: ${r.stderr}`).toBe(0);
  return JSON.parse(r.stdout) as T;
}

interface WatchResult {
  job: string;
  state: string;
  rounds: number;
  accuracy: number;
  loss: number;
  workers: { node: string; backend: string; samples: number }[];
}

async function daemon(): Promise<DaemonProcess> {
  const d = await startDaemonProcess(gw.url, [], { CYXWIZ_TOKEN: gw.adminToken });
  daemons.push(d);
  await d.registered;
  return d;
}

async function submit(extra: string[]): Promise<string> {
  const { job } = await cliJson<{ job: string }>([
    "job",
    "submit",
    "--dataset",
    "mnist@v1",
    "--strategy",
    "class-balanced",
    "--eval-split",
    "validation",
    ...extra,
  ]);
  return job;
}

/** `cyxwiz job get --json`, as the CLI prints it (the Job message as protobuf JSON). */
interface JobView {
  state: string;
  currentRound?: number;
  rounds?: { round: number; updatesAccepted?: number; updatesRejected?: number }[];
  workers?: { nodeId: string; shard?: number; state: string; shardSamples?: string }[];
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "cyxwiz-e2e-faults-"));
  gw = await startGatewayProcess();
  await cliJson([
    "upload",
    mnistPath("images"),
    mnistPath("labels"),
    "--name",
    "mnist",
    "--classification",
    "public",
    "--split",
    "800/200/0",
  ]);
});

afterAll(async () => {
  for (const d of daemons) await d.kill();
  await gw?.stop();
  await rm(dir, { recursive: true, force: true });
});

describe("training jobs when workers fail or misbehave", () => {
  let baseline = 0;

  it("two daemons train the MLP to at least 95%", async () => {
    await daemon();
    await daemon();
    const job = await submit(["--preset", "mnist-mlp", "--workers", "2:2", "--rounds", "5"]);
    const r = await cliJson<WatchResult>(["job", "watch", job]);
    expect(r.state).toBe("succeeded");
    expect(r.accuracy).toBeGreaterThanOrEqual(0.95);
    expect(r.workers.map((w) => w.backend)).toEqual(["wasm", "wasm"]);
    baseline = r.accuracy;
  });

  it("a daemon killed mid-job: its shard is reassigned, the job completes within 1 point", async () => {
    expect(baseline).toBeGreaterThan(0);
    const job = await submit(["--preset", "mnist-mlp", "--workers", "2:2", "--rounds", "5"]);
    // Kill one worker of this job once round 1 has closed.
    await expect
      .poll(async () => ((await cliJson<JobView>(["job", "get", job])).rounds ?? []).length, { timeout: 120_000 })
      .toBeGreaterThanOrEqual(2);
    const view = await cliJson<JobView>(["job", "get", job]);
    const victimNode = view.workers![0]!.nodeId;
    const trainSamples = view.workers!.reduce((a, w) => a + Number(w.shardSamples ?? 0), 0);
    const victim = await Promise.all(daemons.map(async (d) => ({ d, id: await d.registered })));
    await victim.find((v) => v.id === victimNode)!.d.kill();

    const r = await cliJson<WatchResult>(["job", "watch", job]);
    expect(r.state).toBe("succeeded");
    expect(Math.abs(r.accuracy - baseline)).toBeLessThanOrEqual(0.01);
    const after = await cliJson<JobView>(["job", "get", job]);
    const lost = after.workers!.find((w) => w.nodeId === victimNode)!;
    expect(lost.state).toMatch(/lost/i);
    // Every train sample still has a live worker: the survivor holds the whole train split.
    const live = after.workers!.filter((w) => !/lost|left/i.test(w.state));
    expect(live.reduce((a, w) => a + Number(w.shardSamples ?? 0), 0)).toBe(trainSamples);
  });

  it("NaN and scaled-up updates are rejected, the sender's reputation drops, accuracy holds", async () => {
    await daemon(); // in place of the one killed above: two honest daemons and the adversary
    const adversary = await startAdversary(gw.url);
    const badNode = await adversary.nodeId;
    const before = (await cliJson<{ nodeId: string; reputation: number }[]>(["nodes"])).find(
      (n) => n.nodeId === badNode,
    )!.reputation;
    try {
      const job = await submit([
        "--preset",
        "mnist-mlp",
        "--workers",
        "3:3",
        "--rounds",
        "5",
        "--aggregation",
        "trimmed-mean",
        "--trim",
        "0.34",
        "--max-norm-ratio",
        "3",
      ]);
      const r = await cliJson<WatchResult>(["job", "watch", job]);
      expect(r.state).toBe("succeeded");
      expect(Math.abs(r.accuracy - baseline)).toBeLessThanOrEqual(0.01);
      const view = await cliJson<JobView>(["job", "get", job]);
      for (const round of view.rounds ?? []) expect(round.updatesRejected ?? 0).toBeGreaterThanOrEqual(1);
      const after = (await cliJson<{ nodeId: string; reputation: number }[]>(["nodes"])).find(
        (n) => n.nodeId === badNode,
      )!.reputation;
      expect(after).toBeLessThan(before);
      expect(adversary.submitted()).toBeGreaterThanOrEqual(5);
    } finally {
      adversary.stop();
    }
  });

  it("daemons train the small CNN to at least 97%", async () => {
    const job = await submit(["--preset", "mnist-cnn", "--workers", "2:2", "--rounds", "4"]);
    const r = await cliJson<WatchResult>(["job", "watch", job]);
    expect(r.state).toBe("succeeded");
    expect(r.accuracy).toBeGreaterThanOrEqual(0.97);
    expect(r.workers.map((w) => w.backend)).toEqual(["cpu", "cpu"]);
  });
});
