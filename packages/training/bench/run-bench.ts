/**
 * The training benchmark (docs/training.md "Benchmark"), one part after the other so they never
 * compete for the cores:
 *   (a) throughput of the worker's path (sampleBatches over packed chunks → trainLocal) beside
 *       plain TF.js model.fit on the same tensors: Node wasm and cpu, Chromium webgpu, wasm, cpu;
 *   (b) samples seen to reach 95% held-out accuracy with FedAvg over 1, 2 and 4 simulated workers
 *       beside single-process training (Node, wasm).
 * Prints the tables and writes bench/results/training-<date>.json.
 *
 * Run: `npm run bench` at the repository root (turbo), or `npm run bench` in packages/training.
 */
import { cpus } from "node:os";
import { GOALS } from "./bench-config.js";
import { convergenceTable, loadAverage, throughputTable, writeResult } from "./bench-report.js";
import { benchThroughputChromium } from "./train-chromium.js";
import { benchConvergenceNode, benchThroughputNode, mnistPacked } from "./train-node.js";

const t0 = performance.now();
const loadBefore = loadAverage();
console.log(`load average before: ${loadBefore.join(" ")} (${cpus().length} cores)`);
const packed = await mnistPacked();
console.log(`MNIST t10k: ${packed.chunks.length} chunks of samples`);

console.log("== (a) throughput, Node ==");
const nodeRows = await benchThroughputNode(packed);
console.log("== (a) throughput, Chromium ==");
const chromium = await benchThroughputChromium(packed);
for (const r of chromium.rows)
  console.log(
    `chromium ${r.backend}: ours ${Math.round(r.ours)} samples/s, plain ${Math.round(r.plain)}, ratio ${r.ratio.toFixed(3)}`,
  );
console.log("== (b) samples to 95% held-out accuracy, Node wasm ==");
const convergence = await benchConvergenceNode(packed);

const runtime = `node ${process.version}`;
const throughputRows = [
  ...nodeRows.map((row) => ({ runtime, row })),
  ...chromium.rows.map((row) => ({ runtime: chromium.runtime, row })),
];
const runs = [convergence.single, ...convergence.federated];
const throughputText = throughputTable(throughputRows, GOALS.minThroughputRatio);
const convergenceText = convergenceTable(runs, convergence.single, GOALS.maxSamplesRatio);
console.log(
  "\n== (a) samples/s training mnist-mlp on MNIST t10k (batch 32), median of the repeats; ours = sampleBatches over packed 4 MiB chunks → trainLocal; plain = model.fit on the same samples as tensors ==",
);
console.log(throughputText);
console.log(
  "\n== (b) samples seen to 95% accuracy on 2,000 held-out samples (8,000 train), evaluated every 8,000 samples seen; FedAvg weighted by samples, one local epoch per round ==",
);
console.log(convergenceText);

const date = new Date().toISOString().slice(0, 10);
const path = await writeResult(`training-${date}`, {
  command: "cd packages/training && npm run bench",
  goals: GOALS,
  loadAverage: { before: loadBefore, after: loadAverage() },
  throughput: { node: { runtime, rows: nodeRows }, chromium },
  convergence,
  tables: { throughput: throughputText, convergence: convergenceText },
});
console.log(
  `load average before ${loadBefore.join(" ")}, after ${loadAverage().join(" ")}; ${((performance.now() - t0) / 1000).toFixed(0)} s in all`,
);
console.log(`wrote ${path}`);
