/**
 * Measures one `cyxwiz daemon` (the built CLI) training the mnist-mlp preset on MNIST t10k (10,000
 * samples, one local epoch, batch 32, chunks sealed per chunk key) per backend, against the fake
 * NodeService over HTTP: samples/s as the daemon reports them in its update.
 * Run: node apps/node-daemon/build.mjs && node --import tsx apps/node-daemon/bench/daemon-mnist.bench.ts [wasm cpu]
 */
import { spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { openFileByteSource } from "@cyxwiz/protocol/node";
import { presetSpec } from "@cyxwiz/training";
import { FakeNodeService } from "../../../packages/client/test-support/fake-node-service.js";
import { MNIST_FILES, mnistPath } from "../../../test-support/datasets.js";

const cli = fileURLToPath(new URL("../bin/cyxwiz.mjs", import.meta.url));
const backends = process.argv.slice(2).length > 0 ? process.argv.slice(2) : ["wasm", "cpu"];

for (const backend of backends) {
  const sources = await Promise.all((["images", "labels"] as const).map((k) => openFileByteSource(mnistPath(k))));
  const fake = await FakeNodeService.create({
    chunkSize: 256 * 1024,
    source: {
      files: sources.map((source, i) => ({ path: Object.values(MNIST_FILES)[i]!, source })),
      featureColumns: ["image"],
      labelColumn: "label",
      modelSpec: presetSpec("mnist-mlp"),
    },
  });
  await Promise.all(sources.map((s) => s.close()));
  const server = createServer(fake.handler());
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const dataDir = await mkdtemp(join(tmpdir(), "cyxwiz-bench-daemon-"));
  const child = spawn(
    process.execPath,
    [cli, "daemon", "--gateway", url, "--data-dir", dataDir, "--backend", backend],
    {
      stdio: ["ignore", "ignore", "inherit"],
    },
  );
  await fake.until(() => fake.nodes.size === 1);
  await new Promise((r) => setTimeout(r, 500));
  const started = Date.now();
  await fake.assign({ jobId: `bench_${backend}`, batchSize: 32, localEpochs: 1 });
  await fake.until(() => fake.updates.length === 1, 600_000);
  const u = fake.updates[0]!;
  console.log(
    `${backend}: ${u.samples} samples, ${Math.round(u.samplesPerSecond)} samples/s training (backend ${u.backend}), ` +
      `loss ${u.loss.toFixed(3)} accuracy ${u.accuracy.toFixed(3)}; assignment to update ${((Date.now() - started) / 1000).toFixed(1)} s`,
  );
  child.kill("SIGTERM");
  await new Promise((resolve) => child.on("close", resolve));
  server.close();
  await rm(dataDir, { recursive: true, force: true });
}
