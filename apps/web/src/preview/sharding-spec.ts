import type { ShardingSpec, ShardingStrategyOption } from "./preview-types.js";

/** The largest seed a spec takes (seeds are unsigned 32-bit). */
export const MAX_SEED = 2 ** 32 - 1;

/** The sharding form as typed: text fields stay text until checked. */
export interface ShardingDraft {
  readonly strategy: string;
  readonly shardCount: string;
  readonly column: string;
  readonly seed: string;
}

/** Which field is wrong and why, or the spec the draft describes. */
export type CheckedDraft =
  | { readonly ok: true; readonly spec: ShardingSpec }
  | { readonly ok: false; readonly field: "strategy" | "shardCount" | "column" | "seed"; readonly message: string };

/**
 * Checks a draft against the strategies offered: a known strategy, a whole shard count from 1 to
 * `maxShards`, one of `columns` when the strategy reads a column, a whole seed from 0 to 2^32 − 1
 * when it takes one. The spec carries `column` and `seed` only where the strategy uses them.
 */
export function checkShardingDraft(
  draft: ShardingDraft,
  strategies: readonly ShardingStrategyOption[],
  columns: readonly string[],
  maxShards: number,
): CheckedDraft {
  const strategy = strategies.find((s) => s.name === draft.strategy);
  if (strategy === undefined) return { ok: false, field: "strategy", message: "Choose a sharding strategy." };
  const shardCount = wholeNumber(draft.shardCount);
  if (shardCount === undefined || shardCount < 1 || shardCount > maxShards)
    return {
      ok: false,
      field: "shardCount",
      message: `Shards: a whole number from 1 to ${maxShards.toLocaleString("en-US")}.`,
    };
  let column: string | undefined;
  if (strategy.needsColumn === true) {
    if (columns.length === 0)
      return { ok: false, field: "column", message: `${strategy.label} needs a column, and this dataset has none.` };
    if (!columns.includes(draft.column))
      return { ok: false, field: "column", message: `${strategy.label} needs a column: choose one.` };
    column = draft.column;
  }
  let seed: number | undefined;
  if (strategy.usesSeed === true) {
    seed = wholeNumber(draft.seed);
    if (seed === undefined || seed > MAX_SEED)
      return { ok: false, field: "seed", message: `Seed: a whole number from 0 to ${MAX_SEED}.` };
  }
  return {
    ok: true,
    spec: {
      strategy: strategy.name,
      shardCount,
      ...(column === undefined ? {} : { column }),
      ...(seed === undefined ? {} : { seed }),
    },
  };
}

/** A non-negative whole number written in decimal digits, or undefined. */
function wholeNumber(text: string): number | undefined {
  const t = text.trim();
  if (!/^\d{1,16}$/.test(t)) return undefined;
  return Number(t);
}
