/**
 * The CNN preset trained by two `cyxwiz daemon`s (docs/compute.md "Measured end to end"): MNIST
 * t10k uploaded unencrypted with the 800/200 split (7,961 train / 2,039 validation samples), the
 * daemons train `mnist-cnn` on wasm (the training package gives TF.js 4.22's wasm backend the conv
 * filter gradient it lacks, docs/training.md "Backends"), and the global model reaches 97% on the
 * held-out samples.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mnistPath } from "../../test-support/datasets.js";
import { runCli } from "./support/cli.js";
import { type DaemonProcess, startDaemonProcess } from "./support/daemon-process.js";
import { type GatewayProcess, startGatewayProcess } from "./support/gateway-process.js";
import { mnistJobArgs } from "./support/mnist-job.js";

let gw: GatewayProcess;
let dir: string;
const daemons: DaemonProcess[] = [];

async function cliJson<T>(args: string[]): Promise<T> {
  const r = await runCli([...args, "--gateway", gw.url, "--json"], {
    CYXWIZ_TOKEN: gw.adminToken,
    CYXWIZ_STATE_DIR: join(dir, "state"),
  });
  expect(r.code, `${args.join(" ")}: ${r.stderr}`).toBe(0);
  return JSON.parse(r.stdout) as T;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "cyxwiz-e2e-cnn-"));
  gw = await startGatewayProcess();
  await cliJson(["upload", mnistPath("images"), mnistPath("labels"), "--name", "mnist", "--split", "800/200/0"]);
});

afterAll(async () => {
  for (const d of daemons) await d.kill();
  await gw?.stop();
  await rm(dir, { recursive: true, force: true });
});

describe("the CNN preset with daemons", () => {
  it("two daemons train mnist-cnn on wasm to at least 97% on the held-out split", async () => {
    for (let i = 0; i < 2; i++) {
      const d = await startDaemonProcess(gw.url, [], { CYXWIZ_TOKEN: gw.adminToken });
      daemons.push(d);
      await d.registered;
    }
    const { job } = await cliJson<{ job: string }>(mnistJobArgs("mnist-cnn", "2:2", 6, ["--deadline", "600"]));
    const r = await cliJson<{
      state: string;
      rounds: number;
      accuracy: number;
      workers: { node: string; backend: string; samples: number }[];
    }>(["job", "watch", job]);
    const seen = JSON.stringify(r);
    console.log(`[training-cnn e2e] ${seen}`);
    expect(r.state, seen).toBe("succeeded");
    expect(r.rounds, seen).toBe(6);
    expect(r.accuracy, seen).toBeGreaterThanOrEqual(0.97);
    expect(
      r.workers.map((w) => w.backend),
      seen,
    ).toEqual(["wasm", "wasm"]);
  }, 900_000);
});
