import { create, fromJson, type JsonValue, toJson } from "@bufbuild/protobuf";
import { isStrategyName, STRATEGY_NAMES } from "@cyxwiz/datasets/sharding";
import { ColumnRole, type JobSpec, JobSpecSchema, type SampleLayout } from "@cyxwiz/protocol/gen";
import {
  AGGREGATION_RULES,
  type AggregationRule,
  EVALUATION_SPLITS,
  type EvaluationSplit,
  MAX_AUGMENT_SHIFT_PIXELS,
  MAX_SERVER_LEARNING_RATE,
} from "@cyxwiz/protocol/vocab";
import {
  imageRegions,
  isTrainingError,
  type ModelSpec,
  OPTIMIZERS,
  type OptimizerName,
  PRESET_NAMES,
  presetSpec,
  validateModelSpec,
} from "@cyxwiz/training";
import { invalidArgument } from "../rpc/rpc-errors.js";

// A job's spec checked and resolved (docs/compute.md "Submitting a job"): every field in range,
// the model resolved (presets included) and sized, so the engine never meets a spec it cannot run.

/** The most parameters a job's model may have: bounds the gateway's memory per round. */
export const MAX_PARAMETERS = 5_000_000;
/** Strategies that shard training samples (feature sharding splits columns, not samples). */
const SAMPLE_STRATEGIES = STRATEGY_NAMES.filter((s) => s !== "feature");

export const DEFAULT_ROUND_DEADLINE_SECONDS = 120;
export const MAX_WORKERS = 64;

/** A job's spec, resolved: what the engine and the workers run. */
export interface JobPlan {
  /** The model as trained: the spec's layers with the job's optimizer and learning rate. */
  readonly model: ModelSpec;
  readonly numClasses: number;
  readonly parameters: number;
  readonly optimizer: OptimizerName;
  readonly learningRate: number;
  readonly batchSize: number;
  readonly rounds: number;
  readonly localEpochs: number;
  readonly localSteps: number;
  readonly strategy: string;
  readonly seed: number;
  /** The column hash/custom key on, class-balanced balances (default: the label column). */
  readonly column: string | undefined;
  readonly minWorkers: number;
  readonly maxWorkers: number;
  readonly evaluationSplit: EvaluationSplit;
  readonly roundDeadlineSeconds: number;
  readonly quorum: number;
  readonly aggregation: {
    readonly rule: AggregationRule;
    readonly trimFraction: number;
    readonly byzantine: number;
    readonly maxNormRatio: number;
    /** The step along the combined update (1: plain FedAvg); (0, MAX_SERVER_LEARNING_RATE]. */
    readonly serverLearningRate: number;
  };
  /** Shift augmentation: training images move up to this many pixels (0: off; docs/training.md). */
  readonly augmentShiftPixels: number;
  /** The feature columns in dataset order, and the label column and labels (histogram order). */
  readonly featureColumns: readonly string[];
  readonly labelColumn: string;
  readonly labels: readonly string[];
}

function bad(field: string, detail: string): never {
  throw invalidArgument(`spec.${field}: ${detail}`);
}

/** The values one sample of each feature column contributes, or why a column cannot be a feature. */
function featureWidth(c: SampleLayout["columns"][number]): number | string {
  if (c.shape.length > 0) return c.shape.reduce((a, b) => a * b, 1);
  if (/^(u?int|float)/i.test(c.arrowType) || /^(Int|Uint|Float)/.test(c.arrowType)) return 1;
  return `column "${c.name}" is ${c.arrowType}: a feature must be a number or a tensor`;
}

/** The parameter count of a spec's model with a `numClasses` softmax on top, without building it. */
export function parameterCount(spec: ModelSpec, numClasses: number): number {
  let shape = [...spec.inputShape];
  let total = 0;
  const dense = (units: number) => {
    const inputs = shape.reduce((a, b) => a * b, 1);
    total += inputs * units + units;
    shape = [units];
  };
  for (const l of spec.layers) {
    switch (l.type) {
      case "dense":
        dense(l.units!);
        break;
      case "conv2d": {
        const [h, w, c] = shape as [number, number, number];
        const k = l.kernelSize!;
        total += k * k * c * l.filters! + l.filters!;
        shape = [Math.max(0, h - k + 1), Math.max(0, w - k + 1), l.filters!];
        break;
      }
      case "maxPooling2d": {
        const [h, w, c] = shape as [number, number, number];
        shape = [Math.floor(h / l.poolSize!), Math.floor(w / l.poolSize!), c];
        break;
      }
      case "flatten":
        shape = [shape.reduce((a, b) => a * b, 1)];
        break;
      case "dropout":
        break;
    }
    if (shape.some((d) => d < 1))
      bad("model", `a ${l.type} layer leaves an empty output (shape [${shape.join(", ")}])`);
  }
  dense(numClasses);
  return total;
}

function modelOf(spec: JobSpec): ModelSpec {
  try {
    switch (spec.model.case) {
      case "preset":
        if (!(PRESET_NAMES as string[]).includes(spec.model.value))
          bad("preset", `"${spec.model.value}" is not a preset (${PRESET_NAMES.join(", ")})`);
        return presetSpec(spec.model.value);
      case "modelJson": {
        let parsed: unknown;
        try {
          parsed = JSON.parse(spec.model.value);
        } catch (e) {
          bad("model_json", `is not JSON: ${(e as Error).message}`);
        }
        return validateModelSpec(parsed);
      }
      default:
        return bad("model", `give a preset (${PRESET_NAMES.join(", ")}) or model_json`);
    }
  } catch (e) {
    if (isTrainingError(e)) bad(spec.model.case === "preset" ? "preset" : "model_json", e.message);
    throw e;
  }
}

const inRange = (v: number, lo: number, hi: number) => Number.isInteger(v) && v >= lo && v <= hi;

/**
 * Checks a submitted spec against the dataset's sample layout and resolves it.
 * @throws ConnectError INVALID_ARGUMENT "spec.<field>: ..." naming the field and the bound.
 */
export function planJob(spec: JobSpec, layout: SampleLayout): JobPlan {
  const labels = layout.labelHistogram.map((l) => l.label);
  const features = layout.columns.filter((c) => c.role === ColumnRole.FEATURE);
  const model = modelOf(spec);
  if (labels.length < 2)
    bad("dataset_ref", `the dataset has ${labels.length} label(s): training needs at least 2 classes`);
  const widths = features.map(featureWidth);
  const unusable = widths.find((w) => typeof w === "string");
  if (unusable !== undefined) bad("dataset_ref", unusable as string);
  const featureSize = (widths as number[]).reduce((a, b) => a + b, 0);
  const inputSize = model.inputShape.reduce((a, b) => a * b, 1);
  if (inputSize !== featureSize)
    bad(
      "model",
      `the model takes ${inputSize} values per sample (input shape [${model.inputShape.join(", ")}]) but the dataset's features (${features.map((c) => c.name).join(", ")}) have ${featureSize}`,
    );
  const parameters = parameterCount(model, labels.length);
  if (parameters > MAX_PARAMETERS)
    bad(
      "model",
      `the model has ${parameters.toLocaleString("en")} parameters; at most ${MAX_PARAMETERS.toLocaleString("en")} are allowed`,
    );
  const optimizer = spec.optimizer === "" ? (model.optimizer ?? "adam") : spec.optimizer;
  if (!(OPTIMIZERS as readonly string[]).includes(optimizer))
    bad("optimizer", `must be ${OPTIMIZERS.join(" or ")}, not "${optimizer}"`);
  const learningRate = spec.learningRate === 0 ? (model.learningRate ?? 0.001) : spec.learningRate;
  if (!(learningRate > 0 && learningRate <= 10)) bad("learning_rate", `must be in (0, 10], not ${learningRate}`);
  const batchSize = spec.batchSize === 0 ? 32 : spec.batchSize;
  if (!inRange(batchSize, 1, 4096)) bad("batch_size", `must be 1 to 4096, not ${batchSize}`);
  const rounds = spec.rounds === 0 ? 1 : spec.rounds;
  if (!inRange(rounds, 1, 1000)) bad("rounds", `must be 1 to 1000, not ${rounds}`);
  let localEpochs = 0;
  let localSteps = 0;
  if (spec.localWork.case === "localSteps") {
    localSteps = spec.localWork.value;
    if (!inRange(localSteps, 1, 100_000)) bad("local_steps", `must be 1 to 100000, not ${localSteps}`);
  } else {
    localEpochs = spec.localWork.case === "localEpochs" ? spec.localWork.value : 1;
    if (!inRange(localEpochs, 1, 100)) bad("local_epochs", `must be 1 to 100, not ${localEpochs}`);
  }
  const strategy = spec.shardingStrategy === "" ? "sample" : spec.shardingStrategy;
  if (!isStrategyName(strategy) || strategy === "feature")
    bad("sharding_strategy", `must be one of ${SAMPLE_STRATEGIES.join(", ")}, not "${strategy}"`);
  const seed = Number(spec.shardingSeed);
  if (!Number.isSafeInteger(seed)) bad("sharding_seed", `must be below 2^53, not ${spec.shardingSeed}`);
  let column: string | undefined = spec.shardingColumn === "" ? undefined : spec.shardingColumn;
  if (strategy === "class-balanced") column ??= layout.labelColumn;
  if (column !== undefined && !layout.columns.some((c) => c.name === column))
    bad("sharding_column", `the dataset has no column "${column}"`);
  if ((strategy === "hash" || strategy === "custom") && column === undefined)
    bad("sharding_column", `the ${strategy} strategy needs a column`);
  const minWorkers = spec.minWorkers === 0 ? 1 : spec.minWorkers;
  const maxWorkers = spec.maxWorkers === 0 ? Math.max(minWorkers, 1) : spec.maxWorkers;
  if (!inRange(minWorkers, 1, MAX_WORKERS)) bad("min_workers", `must be 1 to ${MAX_WORKERS}, not ${minWorkers}`);
  if (!inRange(maxWorkers, minWorkers, MAX_WORKERS))
    bad("max_workers", `must be from min_workers (${minWorkers}) to ${MAX_WORKERS}, not ${maxWorkers}`);
  const evaluationSplit = spec.evaluationSplit === "" ? "validation" : spec.evaluationSplit;
  if (!(EVALUATION_SPLITS as readonly string[]).includes(evaluationSplit))
    bad("evaluation_split", `must be validation or test, not "${evaluationSplit}"`);
  const roundDeadlineSeconds =
    spec.roundDeadlineSeconds === 0 ? DEFAULT_ROUND_DEADLINE_SECONDS : spec.roundDeadlineSeconds;
  if (!inRange(roundDeadlineSeconds, 5, 86_400))
    bad("round_deadline_seconds", `must be 5 to 86400, not ${roundDeadlineSeconds}`);
  const quorum = spec.quorum === 0 ? 1 : spec.quorum;
  if (!(quorum > 0 && quorum <= 1)) bad("quorum", `must be in (0, 1], not ${quorum}`);
  const a = spec.aggregation;
  const rule = a === undefined || a.rule === "" ? "fedavg" : a.rule;
  if (!(AGGREGATION_RULES as readonly string[]).includes(rule))
    bad("aggregation.rule", `must be one of ${AGGREGATION_RULES.join(", ")}, not "${rule}"`);
  const trimFraction = a?.trimFraction ?? 0;
  if (rule === "trimmed-mean" && !(trimFraction > 0 && trimFraction < 0.5))
    bad("aggregation.trim_fraction", `must be in (0, 0.5) for trimmed-mean, not ${trimFraction}`);
  const byzantine = a?.byzantine ?? 0;
  if (rule === "krum" && !inRange(byzantine, 0, Math.floor((maxWorkers - 3) / 2)))
    bad(
      "aggregation.byzantine",
      `Krum needs at least 2f + 3 updates: with max_workers ${maxWorkers}, f must be 0 to ${Math.max(0, Math.floor((maxWorkers - 3) / 2))}${maxWorkers < 3 ? " (and max_workers at least 3)" : ""}`,
    );
  if (rule === "krum" && maxWorkers < 3)
    bad("aggregation.rule", `Krum needs at least 3 workers; max_workers is ${maxWorkers}`);
  const maxNormRatio = a?.maxNormRatio ?? 0;
  if (!(Number.isFinite(maxNormRatio) && maxNormRatio >= 0))
    bad("aggregation.max_norm_ratio", `must be 0 (off) or a positive number, not ${maxNormRatio}`);
  if (maxNormRatio > 0 && maxNormRatio < 1)
    bad("aggregation.max_norm_ratio", `must be at least 1 (a multiple of the median norm), not ${maxNormRatio}`);
  const serverLearningRate = a === undefined || a.serverLearningRate === 0 ? 1 : a.serverLearningRate;
  if (
    !(Number.isFinite(serverLearningRate) && serverLearningRate > 0 && serverLearningRate <= MAX_SERVER_LEARNING_RATE)
  )
    bad(
      "aggregation.server_learning_rate",
      `must be in (0, ${MAX_SERVER_LEARNING_RATE}] (0: 1, plain FedAvg), not ${serverLearningRate}`,
    );
  const augmentShiftPixels = spec.augmentShiftPixels;
  if (!inRange(augmentShiftPixels, 0, MAX_AUGMENT_SHIFT_PIXELS))
    bad("augment_shift_pixels", `must be 0 (off) to ${MAX_AUGMENT_SHIFT_PIXELS}, not ${augmentShiftPixels}`);
  if (augmentShiftPixels > 0 && imageRegions(features).length === 0)
    bad(
      "augment_shift_pixels",
      `shifting needs an image feature column (a tensor of 2 or 3 dimensions); ${spec.datasetRef} has ${features.map((c) => `${c.name} [${c.shape.join(", ")}]`).join(", ")}`,
    );
  return {
    model: { ...model, optimizer: optimizer as OptimizerName, learningRate },
    numClasses: labels.length,
    parameters,
    optimizer: optimizer as OptimizerName,
    learningRate,
    batchSize,
    rounds,
    localEpochs,
    localSteps,
    strategy,
    seed,
    column,
    minWorkers,
    maxWorkers,
    evaluationSplit: evaluationSplit as EvaluationSplit,
    roundDeadlineSeconds,
    quorum,
    aggregation: { rule: rule as AggregationRule, trimFraction, byzantine, maxNormRatio, serverLearningRate },
    augmentShiftPixels,
    featureColumns: features.map((c) => c.name),
    labelColumn: layout.labelColumn,
    labels,
  };
}

/** The spec as stored and shown: every default filled in. */
export function normalizedSpec(spec: JobSpec, plan: JobPlan): JobSpec {
  return create(JobSpecSchema, {
    datasetRef: spec.datasetRef,
    model: spec.model,
    optimizer: plan.optimizer,
    learningRate: plan.learningRate,
    batchSize: plan.batchSize,
    rounds: plan.rounds,
    localWork:
      plan.localSteps > 0
        ? { case: "localSteps", value: plan.localSteps }
        : { case: "localEpochs", value: plan.localEpochs },
    shardingStrategy: plan.strategy,
    shardingSeed: BigInt(plan.seed),
    shardingColumn: plan.column ?? "",
    minWorkers: plan.minWorkers,
    maxWorkers: plan.maxWorkers,
    evaluationSplit: plan.evaluationSplit,
    roundDeadlineSeconds: plan.roundDeadlineSeconds,
    quorum: plan.quorum,
    aggregation: plan.aggregation,
    augmentShiftPixels: plan.augmentShiftPixels,
  });
}

export const specToJson = (spec: JobSpec): JsonValue => toJson(JobSpecSchema, spec);
export const specFromJson = (json: unknown): JobSpec => fromJson(JobSpecSchema, json as JsonValue);
