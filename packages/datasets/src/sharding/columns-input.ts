import { checkNumSamples } from "./create-shards.js";
import { ShardingError } from "./sharding-error.js";
import type { CellValue, ShardingInput } from "./sharding-types.js";

/**
 * A ShardingInput over columns already in memory (a parsed table, the CLI's Arrow columns, a
 * test's arrays). `numSamples` defaults to the first column's length; `columns` lists the names in
 * the record's order.
 *
 * @throws ShardingError CYXW_ERR_SHARD_ARGUMENT when there is no column and no `numSamples`.
 * @example
 * const input = inputFromColumns({ id: ids, label: labels });
 * createShards(input, { strategy: "hash", shards: 4, column: "id", seed: 7 });
 */
export function inputFromColumns(
  columns: Readonly<Record<string, ArrayLike<CellValue>>>,
  numSamples?: number,
): ShardingInput {
  const names = Object.keys(columns);
  const n = numSamples ?? columns[names[0] ?? ""]?.length;
  if (n === undefined) {
    throw new ShardingError("CYXW_ERR_SHARD_ARGUMENT", "inputFromColumns: no columns and no numSamples");
  }
  checkNumSamples(n, "numSamples");
  return {
    numSamples: n,
    columns: names,
    column: (name) => (Object.hasOwn(columns, name) ? columns[name] : undefined),
  };
}
