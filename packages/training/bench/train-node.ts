/**
 * The Node side of the training benchmark: MNIST t10k packed as an upload packs it (4 MiB
 * chunks), throughput on wasm and cpu, and the convergence runs on wasm.
 *
 * Run alone: `cd packages/training && node --import tsx bench/train-node.ts`
 */

import { pathToFileURL } from "node:url";
import { DEFAULT_CHUNK_SIZE } from "@cyxwiz/protocol/chunk";
import { useNodeWasmFiles } from "../src/backend-wasm.node.js";
import { decodeSamples, labelIds, presetSpec } from "../src/index.js";
import { mnistChunks } from "../test-support/mnist-chunks.js";
import { BATCH_SIZE, CONVERGENCE, SEED, THROUGHPUT_REPEATS, THROUGHPUT_STEPS, WARMUP_STEPS } from "./bench-config.js";
import { type ConvergenceRun, federated, singleProcess } from "./convergence.js";
import { measureThroughput, type ThroughputRow, useBackend } from "./train-throughput.js";

/** MNIST t10k in 4 MiB chunks of samples, as an upload packs it, with the manifest's label order. */
export async function mnistPacked(): Promise<{ chunks: readonly Uint8Array[]; labels: string[] }> {
  return mnistChunks(DEFAULT_CHUNK_SIZE);
}

/** Throughput on Node's wasm and cpu backends. */
export async function benchThroughputNode(
  packed: { chunks: readonly Uint8Array[]; labels: string[] },
  log: (line: string) => void = console.log,
): Promise<ThroughputRow[]> {
  useNodeWasmFiles();
  const rows: ThroughputRow[] = [];
  for (const backend of ["wasm", "cpu"] as const) {
    const row = await measureThroughput({
      backend,
      ...packed,
      batchSize: BATCH_SIZE,
      steps: THROUGHPUT_STEPS[backend],
      warmupSteps: WARMUP_STEPS,
      repeats: THROUGHPUT_REPEATS,
      seed: SEED,
    });
    log(
      `node ${backend}: ours ${Math.round(row.ours)} samples/s, plain ${Math.round(row.plain)}, ratio ${row.ratio.toFixed(3)}`,
    );
    rows.push(row);
  }
  return rows;
}

/** Single process, then FedAvg with each worker count, on Node's wasm backend. */
export async function benchConvergenceNode(
  packed: { chunks: readonly Uint8Array[]; labels: string[] },
  log: (line: string) => void = console.log,
): Promise<{ single: ConvergenceRun; federated: ConvergenceRun[] }> {
  useNodeWasmFiles();
  await useBackend("wasm");
  const options = {
    spec: presetSpec("mnist-mlp"),
    numClasses: packed.labels.length,
    // Every sample of the packed chunks, decoded (features in [0, 1]).
    data: await decodeSamples(
      packed.chunks,
      { featureColumns: ["image"], labelColumn: "label" },
      labelIds(packed.labels),
    ),
    ...CONVERGENCE,
    batchSize: BATCH_SIZE,
    seed: SEED,
  };
  const single = await singleProcess(options, log);
  const runs: ConvergenceRun[] = [];
  for (const w of CONVERGENCE.workers) runs.push(await federated(options, w, log));
  for (const rate of CONVERGENCE.serverLearningRates)
    for (const w of CONVERGENCE.workers.filter((n) => n > 1)) runs.push(await federated(options, w, log, rate));
  return { single, federated: runs };
}

const invokedAsScript = process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href;
if (invokedAsScript) {
  const packed = await mnistPacked();
  await benchThroughputNode(packed);
  await benchConvergenceNode(packed);
}
