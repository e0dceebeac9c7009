import { create } from "@bufbuild/protobuf";
import { isStrategyName } from "@cyxwiz/datasets/sharding";
import { type JobSpec, JobSpecSchema } from "@cyxwiz/protocol/gen";
import {
  AGGREGATION_RULES,
  type AggregationRule,
  EVALUATION_SPLITS,
  MAX_AUGMENT_SHIFT_PIXELS,
  MAX_SERVER_LEARNING_RATE,
} from "@cyxwiz/protocol/vocab";
import { isTrainingError, OPTIMIZERS, type OptimizerName, PRESET_NAMES, validateModelSpec } from "@cyxwiz/training";
import type { ShardingSpec, ShardingStrategyOption } from "../preview/preview-types.js";
import { UPLOAD_SHARDING_OPTIONS } from "../upload/pack-order-choice.js";

/** How the form shows each aggregation rule of @cyxwiz/protocol/vocab's AGGREGATION_RULES. */
export const AGGREGATION_LABELS: Record<AggregationRule, string> = {
  fedavg: "FedAvg (weighted by samples)",
  "trimmed-mean": "Trimmed mean",
  krum: "Krum",
};

/**
 * The sharding choices of a job: the strategies of the registry in @cyxwiz/datasets/sharding that
 * the dashboard offers (the upload page's options, without its "keep the source order").
 */
export const JOB_SHARDING_OPTIONS: readonly ShardingStrategyOption[] = UPLOAD_SHARDING_OPTIONS.filter((o) =>
  isStrategyName(o.name),
);

/** The job form as typed: numbers stay text until checked, so a half-typed field is no error yet. */
export interface JobDraft {
  readonly datasetRef: string;
  /** "preset" or "json". */
  readonly modelSource: "preset" | "json";
  readonly preset: string;
  readonly modelJson: string;
  readonly optimizer: string;
  readonly learningRate: string;
  readonly batchSize: string;
  readonly rounds: string;
  readonly localEpochs: string;
  /** From the sharding panel; its shard count is the most workers (one shard per worker). */
  readonly sharding: ShardingSpec;
  readonly minWorkers: string;
  readonly evaluationSplit: string;
  readonly roundDeadlineSeconds: string;
  readonly quorum: string;
  readonly aggregation: string;
  readonly trimFraction: string;
  readonly byzantine: string;
  readonly serverLearningRate: string;
  readonly augmentShiftPixels: string;
}

/** The form's fields, for the message of the one at fault. */
export type JobDraftField = Exclude<keyof JobDraft, "modelSource">;

/** The defaults (docs/compute.md "Dashboard"): a small MNIST job that runs on one to four workers. */
export function defaultJobDraft(datasetRef = ""): JobDraft {
  return {
    datasetRef,
    modelSource: "preset",
    preset: "mnist-mlp",
    modelJson: "",
    optimizer: "adam",
    learningRate: "0.001",
    batchSize: "32",
    rounds: "5",
    localEpochs: "1",
    sharding: { strategy: "class-balanced", shardCount: 4, seed: 0 },
    minWorkers: "1",
    evaluationSplit: "validation",
    roundDeadlineSeconds: "120",
    quorum: "1",
    aggregation: "fedavg",
    trimFraction: "0.1",
    byzantine: "1",
    serverLearningRate: "1",
    augmentShiftPixels: "0",
  };
}

/** The draft checked: the JobSpec to send, or the field at fault and why. */
export type CheckedJob =
  | { readonly ok: true; readonly spec: JobSpec }
  | { readonly ok: false; readonly field: JobDraftField; readonly message: string };

/**
 * Checks a draft as the dashboard can before submitting: every number in range, a known preset,
 * and a JSON model spec that parses (the message gives the line and column of a syntax error) and
 * passes `validateModelSpec` (the message names the layer and field). The gateway checks again.
 */
export function checkJobDraft(d: JobDraft): CheckedJob {
  const fail = (field: JobDraftField, message: string): CheckedJob => ({ ok: false, field, message });
  if (d.datasetRef === "") return fail("datasetRef", "Choose a dataset of samples.");
  let model: { preset: string } | { modelJson: string };
  if (d.modelSource === "preset") {
    if (!(PRESET_NAMES as readonly string[]).includes(d.preset))
      return fail("preset", `Model: choose one of ${PRESET_NAMES.join(", ")}.`);
    model = { preset: d.preset };
  } else {
    const problem = modelJsonProblem(d.modelJson);
    if (problem !== undefined) return fail("modelJson", problem);
    model = { modelJson: d.modelJson };
  }
  if (!OPTIMIZERS.includes(d.optimizer as OptimizerName))
    return fail("optimizer", `Optimizer: one of ${OPTIMIZERS.join(", ")}.`);
  const learningRate = positiveNumber(d.learningRate);
  if (learningRate === undefined) return fail("learningRate", "Learning rate: a number above 0, e.g. 0.001.");
  const batchSize = wholeIn(d.batchSize, 1, 65_536);
  if (batchSize === undefined) return fail("batchSize", "Batch size: a whole number from 1 to 65536.");
  const rounds = wholeIn(d.rounds, 1, 10_000);
  if (rounds === undefined) return fail("rounds", "Rounds: a whole number from 1 to 10000.");
  const localEpochs = wholeIn(d.localEpochs, 1, 1000);
  if (localEpochs === undefined) return fail("localEpochs", "Local epochs: a whole number from 1 to 1000.");
  if (!JOB_SHARDING_OPTIONS.some((o) => o.name === d.sharding.strategy))
    return fail("sharding", `Sharding: one of ${JOB_SHARDING_OPTIONS.map((o) => o.name).join(", ")}.`);
  const maxWorkers = d.sharding.shardCount;
  const minWorkers = wholeIn(d.minWorkers, 1, maxWorkers);
  if (minWorkers === undefined)
    return fail("minWorkers", `Fewest workers: a whole number from 1 to the most workers (${maxWorkers}).`);
  if (!(EVALUATION_SPLITS as readonly string[]).includes(d.evaluationSplit))
    return fail("evaluationSplit", `Evaluation split: ${EVALUATION_SPLITS.join(" or ")}.`);
  const deadline = wholeIn(d.roundDeadlineSeconds, 1, 86_400);
  if (deadline === undefined) return fail("roundDeadlineSeconds", "Round deadline: whole seconds from 1 to 86400.");
  const quorum = positiveNumber(d.quorum);
  if (quorum === undefined || quorum > 1)
    return fail("quorum", "Quorum: the fraction of a round's workers that closes it, above 0 and at most 1.");
  if (!(AGGREGATION_RULES as readonly string[]).includes(d.aggregation))
    return fail("aggregation", `Aggregation: one of ${AGGREGATION_RULES.join(", ")}.`);
  let trimFraction = 0;
  let byzantine = 0;
  if (d.aggregation === "trimmed-mean") {
    const t = Number(d.trimFraction.trim());
    if (d.trimFraction.trim() === "" || !(t > 0 && t < 0.5))
      return fail("trimFraction", "Trim fraction: above 0 and below 0.5 (trimmed at each end).");
    trimFraction = t;
  }
  if (d.aggregation === "krum") {
    const f = wholeIn(d.byzantine, 0, maxWorkers);
    if (f === undefined)
      return fail("byzantine", `Byzantine updates tolerated: a whole number from 0 to ${maxWorkers}.`);
    byzantine = f;
  }
  const serverLearningRate = positiveNumber(d.serverLearningRate);
  if (serverLearningRate === undefined || serverLearningRate > MAX_SERVER_LEARNING_RATE)
    return fail(
      "serverLearningRate",
      `Server learning rate: above 0 and at most ${MAX_SERVER_LEARNING_RATE}; 1 is plain FedAvg, more moves the model further each round.`,
    );
  const augmentShiftPixels = wholeIn(d.augmentShiftPixels, 0, MAX_AUGMENT_SHIFT_PIXELS);
  if (augmentShiftPixels === undefined)
    return fail(
      "augmentShiftPixels",
      `Shift images by: whole pixels from 0 (off) to ${MAX_AUGMENT_SHIFT_PIXELS}; workers move each training image up to that far.`,
    );
  return {
    ok: true,
    spec: create(JobSpecSchema, {
      datasetRef: d.datasetRef,
      model:
        "preset" in model ? { case: "preset", value: model.preset } : { case: "modelJson", value: model.modelJson },
      optimizer: d.optimizer,
      learningRate,
      batchSize,
      rounds,
      localWork: { case: "localEpochs", value: localEpochs },
      shardingStrategy: d.sharding.strategy,
      shardingSeed: BigInt(d.sharding.seed ?? 0),
      shardingColumn: d.sharding.column ?? "",
      minWorkers,
      maxWorkers,
      evaluationSplit: d.evaluationSplit,
      roundDeadlineSeconds: deadline,
      quorum,
      aggregation: { rule: d.aggregation, trimFraction, byzantine, maxNormRatio: 0, serverLearningRate },
      augmentShiftPixels,
    }),
  };
}

/**
 * Why a JSON model spec cannot be used, or undefined when it can: a syntax error with its line
 * and column, or validateModelSpec's message (which names the layer and field).
 */
export function modelJsonProblem(text: string): string | undefined {
  if (text.trim() === "") return "Model spec: paste a JSON model spec (docs/training.md), or choose a preset.";
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    return `Model spec: not JSON${syntaxPlace(text, e)}: ${(e as Error).message}`;
  }
  try {
    validateModelSpec(value);
    return undefined;
  } catch (e) {
    if (isTrainingError(e)) return `Model spec: ${e.message.replace(/^CYXW_ERR_TR_BAD_SPEC: /, "")}.`;
    throw e;
  }
}

/**
 * " at line L, column C" from the place the JavaScript engine puts in a JSON syntax error: V8 gives
 * "at position N" for most errors, Firefox "at line L column C"; "" when the message has neither
 * (V8's "Unexpected token" quotes the text around the fault instead, which the message keeps).
 */
export function syntaxPlace(text: string, e: unknown): string {
  const message = String((e as Error).message);
  const lineColumn = /line (\d+) column (\d+)/.exec(message);
  if (lineColumn !== null) return ` at line ${lineColumn[1]}, column ${lineColumn[2]}`;
  const position = /position (\d+)/.exec(message);
  if (position === null) return "";
  const before = text.slice(0, Number(position[1]));
  const line = before.split("\n").length;
  const column = before.length - before.lastIndexOf("\n");
  return ` at line ${line}, column ${column}`;
}

function positiveNumber(text: string): number | undefined {
  const t = text.trim();
  if (t === "" || !/^[0-9.eE+-]+$/.test(t)) return undefined;
  const n = Number(t);
  return Number.isFinite(n) && n > 0 ? n : undefined;
}

function wholeIn(text: string, min: number, max: number): number | undefined {
  const t = text.trim();
  if (!/^\d{1,9}$/.test(t)) return undefined;
  const n = Number(t);
  return n >= min && n <= max ? n : undefined;
}
