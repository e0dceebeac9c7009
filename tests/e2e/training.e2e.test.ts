/**
 * The compute plane end to end (docs/compute.md): MNIST t10k uploaded by the CLI (8,000 train /
 * 2,000 validation, encrypted with its key escrowed), a real `cyxwiz daemon` and a volunteer tab
 * in headless Chromium train the MLP preset together; the daemon runs on wasm, the tab on webgpu
 * (SwiftShader), and the global model reaches 95% on the held-out samples. The model downloads in
 * TF.js format.
 */
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { mnistPath } from "../../test-support/datasets.js";
import { runCli } from "./support/cli.js";
import { type DaemonProcess, startDaemonProcess } from "./support/daemon-process.js";
import { mnistJobArgs } from "./support/mnist-job.js";
import { signedInDashboard } from "./support/signed-in-dashboard.js";

const s = signedInDashboard("cyxwiz-e2e-training-", { webgpu: true });

async function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return runCli([...args, "--gateway", s.gw.url], {
    CYXWIZ_TOKEN: s.gw.adminToken,
    CYXWIZ_STATE_DIR: join(s.dir, "state"),
  });
}

interface WatchResult {
  job: string;
  state: string;
  rounds: number;
  accuracy: number;
  loss: number;
  workers: { node: string; backend: string; samples: number }[];
}

describe("training on MNIST with a daemon and a volunteer tab", () => {
  let daemon: DaemonProcess | undefined;

  it("reaches 95% on the held-out split; the daemon ran on wasm and the tab on webgpu", async () => {
    const up = await cli([
      "upload",
      mnistPath("images"),
      mnistPath("labels"),
      "--name",
      "mnist",
      "--classification",
      "public",
      "--encrypt",
      "--escrow",
      "--key-file",
      join(s.dir, "mnist.key"),
      "--split",
      "800/200/0",
      "--json",
    ]);
    expect(up.code, up.stderr).toBe(0);

    daemon = await startDaemonProcess(s.gw.url, ["--backend", "auto"], { CYXWIZ_TOKEN: s.gw.adminToken });
    const daemonNode = await daemon.registered;

    const page = s.dash.page;
    await page.goto(`${s.gw.url}/volunteer/`);
    await page.getByTestId("volunteer-join").click();
    await expect.poll(() => page.getByTestId("volunteer-node").textContent(), { timeout: 60_000 }).toMatch(/node_/);

    const submit = await cli([...mnistJobArgs("mnist-mlp", "2:2", 5, ["--deadline", "900"]), "--json"]);
    expect(submit.code, submit.stderr).toBe(0);
    const { job } = JSON.parse(submit.stdout) as { job: string };

    await expect
      .poll(() => page.getByTestId("volunteer-backend").textContent(), { timeout: 120_000 })
      .toMatch(/webgpu/);

    const watch = await cli(["job", "watch", job, "--json"]);
    expect(watch.code, `${watch.stderr}\n--- daemon:\n${daemon.output()}`).toBe(0);
    const result = JSON.parse(watch.stdout) as WatchResult;
    const described = (await cli(["job", "get", job, "--json"])).stdout;
    const seen = `${JSON.stringify(result)}; rounds: ${described}`;
    // The job asked the workers to shift the images (docs/training.md "Augmentation").
    expect((JSON.parse(described) as { spec: { augmentShiftPixels: number } }).spec.augmentShiftPixels, seen).toBe(1);
    console.log(`[training e2e] accuracy ${result.accuracy}, workers ${JSON.stringify(result.workers)}`);
    expect(result.state, seen).toBe("succeeded");
    expect(result.rounds, seen).toBe(5);
    expect(result.accuracy, seen).toBeGreaterThanOrEqual(0.95);
    const backends = Object.fromEntries(result.workers.map((w) => [w.node, w.backend]));
    expect(backends[daemonNode], seen).toBe("wasm");
    expect(Object.values(backends).sort(), seen).toEqual(["wasm", "webgpu"]);
    for (const w of result.workers) expect(w.samples).toBeGreaterThan(0);
    // Shards follow throughput (docs/compute.md "Shards sized by throughput"): after round 1 the
    // tab on a software WebGPU adapter holds far fewer samples than the daemon on wasm.
    const samplesOf = (backend: string) => result.workers.find((w) => w.backend === backend)!.samples;
    expect(samplesOf("webgpu") * 2, seen).toBeLessThan(samplesOf("wasm"));

    const out = join(s.dir, "model");
    const model = await cli(["job", "model", job, "--out", out]);
    expect(model.code, model.stderr).toBe(0);
    const modelJson = JSON.parse(await readFile(join(out, "model.json"), "utf8")) as {
      modelTopology: unknown;
      weightsManifest: { paths: string[] }[];
    };
    expect(modelJson.modelTopology).toBeDefined();
    const weights = await readFile(join(out, modelJson.weightsManifest[0]!.paths[0]!));
    // 784·128 + 128 + 128·10 + 10 float32 parameters.
    expect(weights.byteLength).toBe((784 * 128 + 128 + 128 * 10 + 10) * 4);

    await page.getByTestId("volunteer-stop").click();
    expect(await daemon.stop()).toBe(0);
  }, 900_000);
});
