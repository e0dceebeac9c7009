import {
  type CellValue,
  createShards,
  inputFromColumns,
  type ShardSpec,
  STRATEGY_NAMES,
  shardingReport,
} from "@cyxwiz/datasets/sharding";
import * as arrow from "apache-arrow";
import { parseCount } from "../dataset-choice.js";
import { withDatasetErrors } from "../dataset-errors.js";
import { badInput } from "../exit-codes.js";
import type { Output } from "../output.js";
import { readSamplePack } from "../sample-pack.js";

export interface ShardCommandOptions {
  strategy: string;
  shards: string;
  column?: string;
  seed?: string;
  keyFile?: string;
  json?: boolean;
}

/**
 * `cyxwiz shard <pack-dir> --strategy S --shards N`: reads a pack of samples (every chunk
 * verified, decrypted, decompressed), shards its samples (docs/sharding.md) and prints each
 * shard's index ranges, the chunks it needs, their stored bytes and its samples per class.
 * JSON: `{"samples","strategy","shards":[{"shard","indices","count","chunks","bytes","labels"}]}`.
 */
export async function shardCommand(dir: string, opts: ShardCommandOptions, out: Output): Promise<void> {
  if (!(STRATEGY_NAMES as readonly string[]).includes(opts.strategy))
    throw badInput(`--strategy must be one of ${STRATEGY_NAMES.join(", ")}; got ${opts.strategy}`);
  const shards = parseCount(opts.shards, "--shards", 1);
  const seed = opts.seed === undefined ? undefined : parseCount(opts.seed, "--seed", 0);
  const pack = await readSamplePack(dir, opts.keyFile, "shard");
  const table = new arrow.Table(pack.tables.flatMap((t) => t.batches));
  const labelColumn = pack.layout.labelColumn === "" ? undefined : pack.layout.labelColumn;
  const report = await withDatasetErrors(async () => {
    const input = inputFromColumns(columnsOf(table), table.numRows);
    const spec: ShardSpec = {
      strategy: opts.strategy,
      shards,
      ...(opts.column !== undefined
        ? { column: opts.column }
        : opts.strategy === "class-balanced" && labelColumn !== undefined
          ? { column: labelColumn }
          : {}),
      ...(seed === undefined ? {} : { seed }),
      ...(labelColumn === undefined ? {} : { labelColumn }),
    };
    return shardingReport(createShards(input, spec), {
      sampleCounts: pack.layout.chunkSampleCounts,
      bytes: pack.manifest.storedSizes,
    });
  });
  const lines = report.shards.map((s) => {
    const ranges = s.indices.map(([a, b]) => `${a}-${b - 1}`);
    const shown =
      ranges.length > 4 ? `${ranges.slice(0, 4).join(", ")}, … (${ranges.length} ranges)` : ranges.join(", ");
    const labels =
      s.labels === undefined
        ? ""
        : `  labels ${Object.entries(s.labels)
            .map(([k, v]) => `${k}:${v}`)
            .join(" ")}`;
    return `shard ${s.shard}: ${s.count} samples [${shown}]  chunks ${s.chunks?.length ?? 0} (${s.bytes ?? 0} bytes)${labels}`;
  });
  out.result(
    { ...report },
    `${report.samples} samples in ${report.shards.length} shards (${report.strategy})\n${lines.join("\n")}`,
  );
}

/**
 * The table's columns as the sharding module reads them: scalar columns' values; a tensor or
 * other nested column only by name (Feature sharding needs every name; no strategy keys on one).
 */
function columnsOf(table: arrow.Table): Record<string, ArrayLike<CellValue>> {
  const columns: Record<string, ArrayLike<CellValue>> = {};
  for (const field of table.schema.fields) {
    const t = field.type;
    const scalar =
      arrow.DataType.isInt(t) ||
      arrow.DataType.isFloat(t) ||
      arrow.DataType.isUtf8(t) ||
      arrow.DataType.isLargeUtf8(t) ||
      arrow.DataType.isDictionary(t) ||
      arrow.DataType.isBool(t);
    const vector = table.getChild(field.name)!;
    if (!scalar) {
      columns[field.name] = new Array<CellValue>(table.numRows).fill(null);
      continue;
    }
    const values: CellValue[] = new Array(table.numRows);
    for (let i = 0; i < table.numRows; i++) {
      const v = vector.get(i) as unknown;
      values[i] = v === null || v === undefined ? null : typeof v === "boolean" ? String(v) : (v as CellValue);
    }
    columns[field.name] = values;
  }
  return columns;
}
