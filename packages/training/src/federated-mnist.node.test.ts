import * as tf from "@tensorflow/tfjs-core";
import { afterAll, describe, expect, it } from "vitest";
import { mnistChunks } from "../test-support/mnist-chunks.js";
import { fedAvg } from "./aggregate.js";
import { chooseBackend } from "./backend-choice.js";
import { useNodeWasmFiles } from "./backend-wasm.node.js";
import { buildModel } from "./build-model.js";
import { evaluate, trainLocal } from "./local-training.js";
import { presetSpec } from "./model-presets.js";
import { applyDelta, deltaOf, setWeights, validateUpdate, weightsOf } from "./model-update.js";
import { sampleBatches } from "./sample-batches.js";

describe("federated training of mnist-mlp on MNIST t10k (2 simulated workers, FedAvg)", () => {
  afterAll(async () => {
    await tf.setBackend("cpu");
  });

  it("raises held-out accuracy above 0.8 in 3 rounds", async () => {
    useNodeWasmFiles();
    const spec = presetSpec("mnist-mlp");
    const choice = await chooseBackend("auto", spec);
    const { chunks, labels } = await mnistChunks();
    // The last 3 chunks (~1,000 samples) are held out; workers take alternate chunks of the rest.
    const heldOut = chunks.slice(-3);
    const train = chunks.slice(0, -3);
    const shards = [train.filter((_, i) => i % 2 === 0), train.filter((_, i) => i % 2 === 1)];
    const batchOptions = { featureColumns: ["image"], labelColumn: "label", labels, batchSize: 32 };

    const global = buildModel(spec, labels.length);
    let globalWeights = weightsOf(global).values;
    const workers = shards.map(() => buildModel(spec, labels.length));
    const before = await evaluate(global, sampleBatches(heldOut, { ...batchOptions, batchSize: 256 }));
    expect(before.accuracy).toBeLessThan(0.3);
    const accuracies: number[] = [];
    for (let round = 1; round <= 3; round++) {
      const updates = [];
      let rate = 0;
      for (const [w, model] of workers.entries()) {
        setWeights(model, globalWeights);
        const result = await trainLocal(model, () => sampleBatches(shards[w]!, batchOptions));
        const delta = deltaOf(weightsOf(model).values, globalWeights);
        expect(validateUpdate(delta, { maxNorm: 1e3, length: globalWeights.length }).ok).toBe(true);
        updates.push({ delta, samples: result.samples });
        rate += result.samplesPerSecond;
      }
      globalWeights = applyDelta(globalWeights, fedAvg(updates));
      setWeights(global, globalWeights);
      const held = await evaluate(global, sampleBatches(heldOut, { ...batchOptions, batchSize: 256 }));
      accuracies.push(held.accuracy);
      console.log(
        `round ${round} (${choice.backend}): held-out loss ${held.loss.toFixed(3)} accuracy ${held.accuracy.toFixed(3)} ` +
          `on ${held.samples} samples; workers ${updates.map((u) => u.samples).join("+")} samples at ${Math.round(rate / workers.length)} samples/s each`,
      );
    }
    console.log(`before training: held-out accuracy ${before.accuracy.toFixed(3)}; backend ${choice.reason}`);
    expect(accuracies[2]).toBeGreaterThan(0.8);
    expect(accuracies[2]).toBeGreaterThanOrEqual(accuracies[0]! - 0.02);
    for (const m of [global, ...workers]) m.dispose();
  });
});
