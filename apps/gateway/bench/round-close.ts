// One round close of the MNIST MLP as the job engine does it (docs/compute.md "Evaluation"):
// FedAvg of 4 updates, then the new global model evaluated on 2,000 samples, on the cpu and the
// wasm backends. Run: cd apps/gateway && npx tsx bench/round-close.ts

import { createRequire } from "node:module";
import { dirname } from "node:path";
import { chooseBackend, presetSpec } from "@cyxwiz/training";
import { setWasmPaths } from "@tensorflow/tfjs-backend-wasm";
import { evaluateWeights, initialWeights } from "../src/jobs/job-model.js";
import { aggregateRound } from "../src/jobs/round-aggregation.js";

const spec = presetSpec("mnist-mlp");
const plan = { model: spec, numClasses: 10 };
const samples = 2000;
const features = new Float32Array(samples * 784).map(() => Math.random());
const labels = Int32Array.from({ length: samples }, (_, i) => i % 10);
const set = { features, labels, featureSize: 784 };

async function measure(backend: "cpu" | "wasm") {
  await chooseBackend(backend, spec);
  const global = await initialWeights(spec, 10, "bench");
  const updates = Array.from({ length: 4 }, (_, i) => ({
    nodeId: `n${i}`,
    delta: new Float32Array(global.length).map(() => (Math.random() - 0.5) * 0.01),
    samples: 1000 + i,
  }));
  const rule = { rule: "fedavg" as const, trimFraction: 0, byzantine: 0, maxNormRatio: 3 };
  await evaluateWeights(plan, global, set); // warm-up
  const times: number[] = [];
  for (let i = 0; i < 5; i++) {
    const t0 = performance.now();
    const { weights } = aggregateRound(global, updates, rule);
    const t1 = performance.now();
    await evaluateWeights(plan, weights, set);
    const t2 = performance.now();
    times.push(t2 - t0);
    if (i === 4) console.log(`${backend}: aggregate ${(t1 - t0).toFixed(0)} ms, evaluate ${(t2 - t1).toFixed(0)} ms`);
  }
  times.sort((a, b) => a - b);
  console.log(
    `${backend}: round close median ${times[2]!.toFixed(0)} ms (min ${times[0]!.toFixed(0)}, max ${times[4]!.toFixed(0)}) over 5`,
  );
}

// As useNodeWasmFiles in packages/training (not exported): the wasm files beside the package.
setWasmPaths(
  `${dirname(createRequire(import.meta.url).resolve("@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm"))}/`,
);
await measure("cpu");
await measure("wasm");
await measure("cpu");
