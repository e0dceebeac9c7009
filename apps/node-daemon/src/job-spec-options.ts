import { readFile } from "node:fs/promises";
import { create } from "@bufbuild/protobuf";
import { STRATEGY_NAMES } from "@cyxwiz/datasets/sharding";
import { type JobSpec, JobSpecSchema } from "@cyxwiz/protocol/gen";
import {
  AGGREGATION_RULES,
  EVALUATION_SPLITS,
  MAX_AUGMENT_SHIFT_PIXELS,
  MAX_SERVER_LEARNING_RATE,
} from "@cyxwiz/protocol/vocab";
import { isTrainingError, OPTIMIZERS, PRESET_NAMES, validateModelSpec } from "@cyxwiz/training/spec";
import { badInput } from "./exit-codes.js";

/** `cyxwiz job submit`'s options, as commander hands them over (every value a string). */
export interface JobSubmitOptions {
  dataset: string;
  preset?: string;
  model?: string;
  rounds?: string;
  workers?: string;
  strategy?: string;
  seed?: string;
  column?: string;
  optimizer?: string;
  lr?: string;
  batchSize?: string;
  localEpochs?: string;
  localSteps?: string;
  evalSplit?: string;
  deadline?: string;
  quorum?: string;
  aggregation?: string;
  trim?: string;
  byzantine?: string;
  maxNormRatio?: string;
  serverLr?: string;
  augmentShift?: string;
}

/** "name@vN": a dataset version, as JobSpec.dataset_ref names it. */
const DATASET_REF = /^[^@\s][^@]*@v[1-9]\d*$/;
const WHOLE = /^\d+$/;
const DECIMAL = /^(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i;

/** A whole number from `min` up (to 2^32-1: the proto's uint32). @throws CliError naming the option. */
function whole(option: string, text: string, min = 1, max = 0xffff_ffff): number {
  const n = Number(text);
  if (!WHOLE.test(text) || n < min || n > max)
    throw badInput(
      `${option} must be a whole number from ${min}${max < 0xffff_ffff ? ` to ${max}` : ""}, got ${JSON.stringify(text)}`,
    );
  return n;
}

/** A finite decimal number in the range `ok` accepts. @throws CliError naming the option and the range. */
function decimal(option: string, text: string, ok: (n: number) => boolean, range: string): number {
  const n = Number(text);
  if (!DECIMAL.test(text) || !Number.isFinite(n) || !ok(n))
    throw badInput(`${option} must be ${range}, got ${JSON.stringify(text)}`);
  return n;
}

function oneOf(option: string, text: string, names: readonly string[]): string {
  if (!names.includes(text))
    throw badInput(`${option} must be one of ${names.join(", ")}, got ${JSON.stringify(text)}`);
  return text;
}

/**
 * The JobSpec of `cyxwiz job submit`'s options (docs/compute.md "A job"). Options not given are
 * left unset (0 or ""), for the gateway's defaults. A `--model` file is read and checked with
 * validateModelSpec here, before anything is sent.
 *
 * @throws CliError (exit 2) naming the option (and for `--model`, the file and the field, or the
 *   line and column of a JSON syntax error).
 */
export async function jobSpecOf(opts: JobSubmitOptions): Promise<JobSpec> {
  if (!DATASET_REF.test(opts.dataset))
    throw badInput(`--dataset must name a version as name@vN (e.g. mnist@v1), got ${JSON.stringify(opts.dataset)}`);
  if ((opts.preset === undefined) === (opts.model === undefined))
    throw badInput("give the model with exactly one of --preset NAME or --model FILE");
  if (opts.localEpochs !== undefined && opts.localSteps !== undefined)
    throw badInput("give at most one of --local-epochs and --local-steps");

  const model: JobSpec["model"] =
    opts.preset !== undefined
      ? { case: "preset", value: oneOf("--preset", opts.preset, PRESET_NAMES) }
      : { case: "modelJson", value: await readModelSpec(opts.model!) };
  const localWork: JobSpec["localWork"] =
    opts.localEpochs !== undefined
      ? { case: "localEpochs", value: whole("--local-epochs", opts.localEpochs) }
      : opts.localSteps !== undefined
        ? { case: "localSteps", value: whole("--local-steps", opts.localSteps) }
        : { case: undefined };

  let minWorkers = 0;
  let maxWorkers = 0;
  if (opts.workers !== undefined) {
    const m = /^(\d+):(\d+)$/.exec(opts.workers);
    if (m === null) throw badInput(`--workers must be MIN:MAX (e.g. 2:4), got ${JSON.stringify(opts.workers)}`);
    minWorkers = whole("--workers MIN", m[1]!);
    maxWorkers = whole("--workers MAX", m[2]!);
    if (maxWorkers < minWorkers) throw badInput(`--workers: MAX (${maxWorkers}) is below MIN (${minWorkers})`);
  }

  const rule = opts.aggregation === undefined ? "" : oneOf("--aggregation", opts.aggregation, AGGREGATION_RULES);
  if (opts.trim !== undefined && rule !== "trimmed-mean")
    throw badInput("--trim is the trimmed mean's fraction: it needs --aggregation trimmed-mean");
  if (opts.byzantine !== undefined && rule !== "krum")
    throw badInput("--byzantine is Krum's number of tolerated updates: it needs --aggregation krum");

  return create(JobSpecSchema, {
    datasetRef: opts.dataset,
    model,
    localWork,
    optimizer: opts.optimizer === undefined ? "" : oneOf("--optimizer", opts.optimizer, OPTIMIZERS),
    learningRate: opts.lr === undefined ? 0 : decimal("--lr", opts.lr, (n) => n > 0, "a positive number"),
    batchSize: opts.batchSize === undefined ? 0 : whole("--batch-size", opts.batchSize),
    rounds: opts.rounds === undefined ? 0 : whole("--rounds", opts.rounds),
    shardingStrategy: opts.strategy === undefined ? "" : oneOf("--strategy", opts.strategy, STRATEGY_NAMES),
    shardingSeed: opts.seed === undefined ? 0n : BigInt(whole("--seed", opts.seed, 0)),
    shardingColumn: opts.column ?? "",
    minWorkers,
    maxWorkers,
    evaluationSplit: opts.evalSplit === undefined ? "" : oneOf("--eval-split", opts.evalSplit, EVALUATION_SPLITS),
    roundDeadlineSeconds: opts.deadline === undefined ? 0 : whole("--deadline", opts.deadline),
    quorum:
      opts.quorum === undefined
        ? 0
        : decimal("--quorum", opts.quorum, (n) => n > 0 && n <= 1, "a fraction in (0, 1], e.g. 0.75"),
    augmentShiftPixels:
      opts.augmentShift === undefined ? 0 : whole("--augment-shift", opts.augmentShift, 0, MAX_AUGMENT_SHIFT_PIXELS),
    aggregation: {
      rule,
      trimFraction:
        opts.trim === undefined
          ? 0
          : decimal("--trim", opts.trim, (n) => n > 0 && n < 0.5, "a fraction in (0, 0.5), e.g. 0.1"),
      byzantine: opts.byzantine === undefined ? 0 : whole("--byzantine", opts.byzantine, 0),
      maxNormRatio:
        opts.maxNormRatio === undefined
          ? 0
          : decimal("--max-norm-ratio", opts.maxNormRatio, (n) => n >= 0, "a number from 0 (0: off), e.g. 3"),
      serverLearningRate:
        opts.serverLr === undefined
          ? 0
          : decimal(
              "--server-lr",
              opts.serverLr,
              (n) => n > 0 && n <= MAX_SERVER_LEARNING_RATE,
              `a number in (0, ${MAX_SERVER_LEARNING_RATE}], e.g. 1.5`,
            ),
    },
  });
}

/**
 * A `--model` file's spec, checked (docs/training.md "Model spec"), as the JSON sent to the gateway.
 * @throws CliError naming the file and the line and column of a syntax error, or the bad field.
 */
async function readModelSpec(file: string): Promise<string> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (e) {
    throw badInput(`--model: cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw badInput(`--model ${file}${jsonErrorPlace(text, (e as Error).message)}: not JSON: ${(e as Error).message}`);
  }
  try {
    return JSON.stringify(validateModelSpec(value));
  } catch (e) {
    if (isTrainingError(e)) throw badInput(`--model ${file}: ${e.message}`);
    throw e;
  }
}

/** ":line:column" of a JSON.parse error that names its place (most do), or "". */
function jsonErrorPlace(text: string, message: string): string {
  const lineColumn = /\(line (\d+) column (\d+)\)/.exec(message);
  if (lineColumn !== null) return `:${lineColumn[1]}:${lineColumn[2]}`;
  const m = /position (\d+)/.exec(message);
  if (m === null) return "";
  const before = text.slice(0, Number(m[1]));
  const line = before.split("\n").length;
  return `:${line}:${before.length - before.lastIndexOf("\n")}`;
}
