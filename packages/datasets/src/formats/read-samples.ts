import type * as arrow from "apache-arrow";
import type { InputFile } from "../samples/input-file.js";
import { DatasetError } from "./dataset-error.js";
import { detectFormat } from "./detect-format.js";
import { DEFAULT_LIMITS, type ReadLimits } from "./format-reader.js";
import { type FormatName, loadFormat } from "./format-registry.js";

/** Options of `readSamples`. */
export interface ReadSamplesOptions {
  /** The format, overriding detection (one of FORMAT_NAMES). */
  readonly format?: string;
  /**
   * The label column: a column name, `null` for none, or unset for the default (the format's own
   * label — IDX labels, image folders, a labels .npy — else the first column named label, class,
   * target or y, in any case).
   */
  readonly labelColumn?: string | null;
  /** Called as the files are read, with bytes read so far and the bytes the reader will read in all. */
  readonly onProgress?: (bytesRead: number, totalBytes: number) => void;
  readonly limits?: Partial<ReadLimits>;
  /** Resize every image to this size (the images format); without it, images must share one size. */
  readonly imageSize?: { readonly width: number; readonly height: number };
  /** Rows per record batch (about; default 4096). */
  readonly batchRows?: number;
}

/** A dataset read as samples: the Arrow schema, the label column if any, and the rows in batches. */
export interface SampleSource {
  readonly format: FormatName;
  readonly schema: arrow.Schema;
  readonly labelColumn?: string;
  /** The rows; iterate once. Bad input later in the files rejects the iteration with a DatasetError. */
  readonly batches: AsyncIterable<arrow.RecordBatch>;
}

/** Column names taken as the label when none is given (compared without case). */
export const DEFAULT_LABEL_NAMES = ["label", "class", "target", "y"] as const;

/**
 * Reads dataset files into Arrow record batches: detects the format (detect-format.ts) unless
 * `options.format` names it, reads the schema at once (text formats check the whole file first),
 * and streams the rows.
 *
 * @throws DatasetError (rejected promise) for bad input or options; see docs/dataset-formats.md.
 * @example
 * const { schema, labelColumn, batches } = await readSamples([{ path: "iris.csv", source }]);
 * for await (const batch of batches) console.log(batch.numRows);
 */
export async function readSamples(
  files: readonly InputFile[],
  options: ReadSamplesOptions = {},
): Promise<SampleSource> {
  const format = await detectFormat(files, options.format);
  for (const f of files) {
    if (f.source.size === 0)
      throw new DatasetError("CYXW_ERR_DS_EMPTY", { file: f.path }, "the file is empty (0 bytes)");
  }
  const batchRows = options.batchRows ?? 4096;
  if (!Number.isSafeInteger(batchRows) || batchRows < 1)
    throw new DatasetError("CYXW_ERR_DS_BAD_OPTION", {}, `batchRows must be a positive integer; got ${batchRows}`);
  const reader = await loadFormat(format);
  const out = await reader.read(files, {
    limits: { ...DEFAULT_LIMITS, ...options.limits },
    batchRows,
    ...(options.imageSize !== undefined ? { imageSize: options.imageSize } : {}),
    ...(options.onProgress !== undefined ? { onProgress: options.onProgress } : {}),
  });
  const labelColumn = chooseLabel(out.schema, options.labelColumn, out.naturalLabel);
  return { format, schema: out.schema, ...(labelColumn !== undefined ? { labelColumn } : {}), batches: out.batches };
}

function chooseLabel(
  schema: arrow.Schema,
  asked: string | null | undefined,
  natural: string | undefined,
): string | undefined {
  if (asked === null) return undefined;
  if (asked !== undefined) {
    if (schema.fields.some((f) => f.name === asked)) return asked;
    throw new DatasetError(
      "CYXW_ERR_DS_BAD_OPTION",
      {},
      `there is no column "${asked}" to use as the label (columns: ${schema.fields.map((f) => f.name).join(", ")})`,
    );
  }
  if (natural !== undefined) return natural;
  for (const want of DEFAULT_LABEL_NAMES) {
    const f = schema.fields.find((x) => x.name.toLowerCase() === want);
    if (f !== undefined) return f.name;
  }
  return undefined;
}
