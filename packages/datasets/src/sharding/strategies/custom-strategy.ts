import { missingValue, requireColumn, valueError } from "../column-values.js";
import type { RowStrategy } from "../sharding-strategy.js";

/**
 * Custom sharding (seed §6.2 `custom_sharding_fn`, as data): the column `spec.column` holds each
 * sample's shard id, an integer in `[0, shards)` (a number, a bigint, or a string of decimal
 * digits). No balance is promised: the owner chose the split.
 */
export const customStrategy: RowStrategy = {
  kind: "rows",
  assign(input, spec) {
    const values = requireColumn(input, spec.column, "shard id");
    const column = spec.column!;
    const shardOf = new Uint32Array(input.numSamples);
    for (let row = 0; row < input.numSamples; row++) {
      const value = values[row];
      if (value === null || value === undefined || value === "") throw missingValue(row, column, "shard id");
      let id: number;
      if (typeof value === "number") id = value;
      else if (typeof value === "bigint") id = value < BigInt(spec.shards) && value >= 0n ? Number(value) : -1;
      else id = /^[0-9]{1,10}$/.test(value) ? Number(value) : Number.NaN;
      if (!Number.isInteger(id) || id < 0 || id >= spec.shards) {
        throw valueError(
          `row ${row} has shard id ${typeof value === "string" ? JSON.stringify(value) : String(value)} in column "${column}", not an integer in [0, ${spec.shards})`,
          row,
          column,
        );
      }
      shardOf[row] = id;
    }
    return shardOf;
  },
};
