import { basename } from "node:path";
import { detectFormat, isDatasetError } from "@cyxwiz/datasets/formats";
import {
  checkSplit,
  type PreparedSamples,
  type PrepareSamplesOptions,
  prepareSamples,
  type SplitSpec,
} from "@cyxwiz/datasets/pack";
import { cliErrorOfDataset } from "./dataset-errors.js";
import { openDatasetInput } from "./dataset-input.js";
import { type DatasetChoiceOptions, ORDER_STRATEGIES, PACK_FORMATS } from "./dataset-options.js";
import { badInput } from "./exit-codes.js";
import type { Output } from "./output.js";

/** What the named files are: one opaque file, or a dataset of samples already packed into chunks. */
export type DatasetChoice =
  | { readonly kind: "opaque"; readonly path: string }
  | { readonly kind: "samples"; readonly prepared: PreparedSamples; readonly label: string };

/**
 * Reads the files a command names (docs/dataset-formats.md "CLI"): `--format opaque`, or `auto`
 * with one file no reader recognises (a note says so), is an opaque file; anything else is read as
 * samples and packed into chunks of whole samples (`prepareSamples`), so pack and upload give the
 * same bytes for the same files and options.
 *
 * @throws CliError (bad input, exit 2) for bad options and for a DatasetError, naming the place.
 */
export async function chooseDataset(
  paths: readonly string[],
  opts: DatasetChoiceOptions,
  chunkSize: number,
  out: Output,
): Promise<DatasetChoice> {
  const format = opts.format ?? "auto";
  if (!(PACK_FORMATS as readonly string[]).includes(format))
    throw badInput(`--format must be one of ${PACK_FORMATS.join(", ")}; got ${format}`);
  const order = parseOrder(opts);
  const split = opts.split === undefined ? undefined : parseSplit(opts.split);
  const samplesOnly = opts.labelColumn !== undefined || order !== undefined || split !== undefined;
  if (format === "opaque") {
    if (paths.length !== 1) throw badInput(`--format opaque takes one file; got ${paths.length}`);
    if (samplesOnly)
      throw badInput("--label-column, --order and --split apply to datasets of samples, not --format opaque");
    return { kind: "opaque", path: paths[0]! };
  }
  const input = await openDatasetInput(paths);
  try {
    if (format === "auto") {
      try {
        await detectFormat(input.files);
      } catch (e) {
        const single = paths.length === 1 && input.files.length === 1 && input.files[0]!.path === paths[0];
        if (single && isDatasetError(e) && e.code === "CYXW_ERR_DS_EMPTY")
          throw badInput(`${e.message} (an empty file is no dataset of samples; --format opaque takes it as bytes)`);
        if (!single || !isDatasetError(e) || e.code !== "CYXW_ERR_DS_UNKNOWN_FORMAT") throw cliErrorOfDataset(e);
        if (samplesOnly)
          throw badInput(`${paths[0]}: ${e.message}; --label-column, --order and --split need a dataset of samples`);
        out.note(`note: no dataset format recognises ${paths[0]}: taking it as an opaque file (--format opaque)`);
        return { kind: "opaque", path: paths[0]! };
      }
    }
    try {
      const prepared = await prepareSamples(input.files, {
        chunkSize,
        ...(format === "auto" ? {} : { format }),
        ...(opts.labelColumn === undefined ? {} : { labelColumn: opts.labelColumn }),
        ...(order === undefined ? {} : { order }),
        ...(split === undefined ? {} : { split }),
        originalName: input.files.map((f) => f.path).join(", "),
      });
      return { kind: "samples", prepared, label: paths.map((p) => basename(p)).join(" ") };
    } catch (e) {
      throw cliErrorOfDataset(e);
    }
  } finally {
    await input.close();
  }
}

/** `--order S --shards N [--order-column C] [--seed S]`: the pack order, or undefined without --order. */
function parseOrder(opts: DatasetChoiceOptions): PrepareSamplesOptions["order"] {
  if (opts.order === undefined) {
    if (opts.shards !== undefined || opts.orderColumn !== undefined || opts.seed !== undefined)
      throw badInput("--shards, --order-column and --seed go with --order");
    return undefined;
  }
  const strategy = ORDER_STRATEGIES.find((s) => s === opts.order);
  if (strategy === undefined)
    throw badInput(`--order must be one of ${ORDER_STRATEGIES.join(", ")}; got ${opts.order}`);
  if (opts.shards === undefined) throw badInput("--order needs --shards <n>");
  const shards = parseCount(opts.shards, "--shards", 1);
  return {
    strategy,
    shards,
    ...(opts.orderColumn === undefined ? {} : { column: opts.orderColumn }),
    ...(opts.seed === undefined ? {} : { seed: parseCount(opts.seed, "--seed", 0) }),
  };
}

/** `--split 800/100/100`: train/validation/test in thousandths (seed 1). */
function parseSplit(text: string): SplitSpec {
  const m = /^(\d+)\/(\d+)\/(\d+)$/.exec(text);
  if (m === null) throw badInput(`--split is train/validation/test in thousandths, e.g. 800/100/100; got ${text}`);
  const split = { trainPermille: Number(m[1]), validationPermille: Number(m[2]), testPermille: Number(m[3]), seed: 1 };
  try {
    return checkSplit(split);
  } catch (e) {
    throw cliErrorOfDataset(e);
  }
}

/** A whole number at least `min`, from an option's text. */
export function parseCount(text: string, option: string, min: number): number {
  const n = /^\d+$/.test(text) ? Number(text) : Number.NaN;
  if (!Number.isSafeInteger(n) || n < min) throw badInput(`${option} must be a whole number from ${min}; got ${text}`);
  return n;
}
