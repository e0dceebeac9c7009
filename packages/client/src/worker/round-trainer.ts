import type { Assignment } from "@cyxwiz/protocol/gen";
import {
  buildModel,
  decodeUpdate,
  deltaOf,
  encodeUpdate,
  type ModelSpec,
  OPTIMIZERS,
  type OptimizerName,
  PRESET_NAMES,
  presetSpec,
  readWeights,
  sampleBatches,
  setWeights,
  type TrainResult,
  trainLocal,
  validateModelSpec,
} from "@cyxwiz/training";
import { ClientError } from "../client-error.js";

type Model = ReturnType<typeof buildModel>;

/** A round trained: the encoded delta and the local metrics. */
export interface TrainedRound {
  readonly delta: Uint8Array;
  readonly values: number;
  readonly result: TrainResult;
  readonly backend: string;
}

/** Per-batch progress, with the running samples/s. */
export type BatchProgress = (b: { step: number; loss: number; accuracy: number; samplesPerSecond: number }) => void;

/**
 * Trains assignments one round at a time (docs/training.md): builds the job's model once, and
 * again only when the spec, optimizer, learning rate or classes change, choosing its backend first;
 * each round sets the global weights, trains locally and returns the encoded delta.
 */
export class RoundTrainer {
  readonly #choose: (spec: ModelSpec) => Promise<{ backend: string; reason: string }>;
  readonly #onBackend: (backend: string, reason: string) => void;
  #model: Model | undefined;
  #key = "";
  #backend = "";

  constructor(
    choose: (spec: ModelSpec) => Promise<{ backend: string; reason: string }>,
    onBackend: (backend: string, reason: string) => void,
  ) {
    this.#choose = choose;
    this.#onBackend = onBackend;
  }

  /**
   * Trains `selected` (the shard's rows, Arrow IPC per chunk) for the assignment's epochs or steps.
   * @throws ClientError CYXW_CLIENT_PROTOCOL for an unusable model spec, optimizer or global weights;
   *   TrainingError from @cyxwiz/training (layout mismatch, bad columns) unchanged.
   */
  async train(
    a: Assignment,
    selected: readonly Uint8Array[],
    samples: number,
    options: { maxBatchesInMemory?: number; onBatch?: BatchProgress },
  ): Promise<TrainedRound> {
    const spec = effectiveSpec(a);
    const key = JSON.stringify([spec, a.labels]);
    if (this.#model === undefined || key !== this.#key) {
      this.dispose();
      const choice = await this.#choose(spec);
      this.#backend = choice.backend;
      this.#onBackend(choice.backend, choice.reason);
      this.#model = buildModel(spec, a.labels.length);
      this.#key = key;
    }
    const model = this.#model;
    if (a.globalWeights.length === 0)
      throw new ClientError("CYXW_CLIENT_PROTOCOL", `assignment ${a.jobId} round ${a.round} has no global weights`);
    const global = decodeUpdate(a.globalWeights);
    setWeights(model, global);
    const batchSize = a.batchSize > 0 ? a.batchSize : 32;
    const perEpoch = Math.max(1, Math.ceil(samples / batchSize));
    const epochs = a.localEpochs > 0 ? a.localEpochs : a.localSteps > 0 ? Math.ceil(a.localSteps / perEpoch) : 1;
    const started = performance.now();
    // A new order every local epoch (docs/training.md "Batches"), the same on a rerun of the round.
    let epoch = (a.round - 1) * epochs;
    const result = await trainLocal(
      model,
      () =>
        sampleBatches(selected, {
          shuffle: { seed: a.shard, epoch: epoch++ },
          featureColumns: a.featureColumns,
          labelColumn: a.labelColumn,
          labels: a.labels,
          batchSize,
          shiftPixels: a.augmentShiftPixels,
          ...(options.maxBatchesInMemory === undefined ? {} : { maxBatchesInMemory: options.maxBatchesInMemory }),
        }),
      {
        epochs,
        ...(a.localSteps > 0 ? { steps: a.localSteps } : {}),
        onBatch: (b) => {
          const seconds = (performance.now() - started) / 1000;
          options.onBatch?.({
            step: b.step,
            loss: b.loss,
            accuracy: b.accuracy,
            samplesPerSecond: seconds > 0 ? b.samples / seconds : 0,
          });
        },
      },
    );
    const delta = deltaOf((await readWeights(model)).values, global);
    return { delta: encodeUpdate(delta), values: delta.length, result, backend: this.#backend };
  }

  /** Frees the model's tensors (job over). */
  dispose(): void {
    this.#model?.dispose();
    this.#model = undefined;
    this.#key = "";
  }
}

/**
 * The model spec an assignment trains: its model_json (a spec, or a preset's name) with the
 * assignment's optimizer and learning rate, which override the spec's.
 * @throws ClientError CYXW_CLIENT_PROTOCOL naming what is wrong.
 */
export function effectiveSpec(a: Assignment): ModelSpec {
  let parsed: unknown;
  try {
    parsed = JSON.parse(a.modelJson);
  } catch {
    parsed = a.modelJson;
  }
  let spec: ModelSpec;
  try {
    spec =
      typeof parsed === "string" && (PRESET_NAMES as readonly string[]).includes(parsed)
        ? presetSpec(parsed)
        : validateModelSpec(parsed);
  } catch (e) {
    throw new ClientError("CYXW_CLIENT_PROTOCOL", `assignment ${a.jobId}: model_json: ${(e as Error).message}`, {
      cause: e,
    });
  }
  if (a.optimizer !== "" && !OPTIMIZERS.includes(a.optimizer as OptimizerName))
    throw new ClientError(
      "CYXW_CLIENT_PROTOCOL",
      `assignment ${a.jobId}: optimizer "${a.optimizer}" is not one of ${OPTIMIZERS.join(", ")}`,
    );
  return {
    ...spec,
    ...(a.optimizer === "" ? {} : { optimizer: a.optimizer as OptimizerName }),
    ...(a.learningRate > 0 ? { learningRate: a.learningRate } : {}),
  };
}
