import { ShardingError } from "../sharding-error.js";
import type { ColumnStrategy } from "../sharding-strategy.js";
import { evenSplitStarts } from "./sample-strategy.js";

/**
 * Feature sharding (seed §6.1, vertical): each shard holds a group of the columns and every sample.
 * Groups come from `spec.columnGroups` (one per shard), or else the dataset's columns are cut, in
 * order, into `shards` contiguous groups whose sizes differ by at most one.
 */
export const featureStrategy: ColumnStrategy = {
  kind: "columns",
  groups(input, spec) {
    const all = input.columns;
    if (all === undefined) {
      throw new ShardingError(
        "CYXW_ERR_SHARD_COLUMN",
        "feature sharding needs the dataset's column names (input.columns)",
      );
    }
    if (spec.columnGroups === undefined) {
      if (spec.shards > all.length) {
        throw new ShardingError(
          "CYXW_ERR_SHARD_COUNT",
          `${spec.shards} feature shards cannot be cut from ${all.length} columns`,
        );
      }
      const starts = evenSplitStarts(all.length, spec.shards);
      return starts.slice(0, -1).map((start, s) => all.slice(start, starts[s + 1]));
    }
    const groups = spec.columnGroups;
    if (groups.length !== spec.shards) {
      throw new ShardingError(
        "CYXW_ERR_SHARD_COUNT",
        `spec.columnGroups has ${groups.length} groups but spec.shards is ${spec.shards}`,
      );
    }
    const known = new Set(all);
    const owner = new Map<string, number>();
    groups.forEach((group, s) => {
      if (group.length === 0) {
        throw new ShardingError("CYXW_ERR_SHARD_COLUMN", `column group ${s} is empty`);
      }
      for (const name of group) {
        if (!known.has(name)) {
          throw new ShardingError("CYXW_ERR_SHARD_COLUMN", `column group ${s} names "${name}", not in the dataset`, {
            column: name,
          });
        }
        const first = owner.get(name);
        if (first !== undefined) {
          throw new ShardingError(
            "CYXW_ERR_SHARD_COLUMN",
            `column "${name}" is in column groups ${first} and ${s}; groups must be disjoint`,
            { column: name },
          );
        }
        owner.set(name, s);
      }
    });
    const left = all.filter((name) => !owner.has(name));
    if (left.length > 0) {
      throw new ShardingError(
        "CYXW_ERR_SHARD_COLUMN",
        `no column group holds ${left.map((n) => `"${n}"`).join(", ")}; groups must cover every column`,
        { column: left[0]! },
      );
    }
    return groups.map((group) => [...group]);
  },
};
