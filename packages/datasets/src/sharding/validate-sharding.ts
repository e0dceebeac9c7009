import { readLabels } from "./column-values.js";
import type { Sharding, ShardingInput } from "./sharding-types.js";

/** What a sharding breaks. `shard` and `row` say where when one shard or sample is at fault. */
export interface ShardingViolation {
  readonly kind:
    | "sample-count"
    | "bad-range"
    | "count"
    | "overlap"
    | "not-covered"
    | "unbalanced"
    | "class-unbalanced"
    | "labels"
    | "columns";
  readonly message: string;
  readonly shard?: number;
  readonly row?: number;
}

/** At most this many violations of one kind are listed, so a broken sharding of millions stays readable. */
const MAX_PER_KIND = 20;

/**
 * Checks a sharding against its dataset and returns every violation found (empty when sound):
 * ranges well formed and counted right; for horizontal strategies each sample in exactly one shard
 * (disjoint, covering); Sample shard sizes within one; class-balanced per-class counts within one
 * of `n_c / shards`; reported label counts true; Feature shards holding every sample and column
 * groups that are disjoint and cover the columns. Never throws on a bad sharding: it reports it.
 */
export function validateSharding(sharding: Sharding, input: ShardingInput): ShardingViolation[] {
  const out: ShardingViolation[] = [];
  const perKind = new Map<string, number>();
  const add = (v: ShardingViolation): void => {
    const n = (perKind.get(v.kind) ?? 0) + 1;
    perKind.set(v.kind, n);
    if (n <= MAX_PER_KIND) out.push(v);
  };
  const n = sharding.numSamples;
  if (n !== input.numSamples) {
    add({ kind: "sample-count", message: `the sharding covers ${n} samples, the dataset has ${input.numSamples}` });
    return out;
  }
  const vertical = sharding.strategy === "feature";
  const holder = new Int32Array(n).fill(-1);
  for (const info of sharding.shards) {
    let count = 0;
    let previousEnd = -1;
    for (const [start, end] of info.indices) {
      if (
        !Number.isInteger(start) ||
        !Number.isInteger(end) ||
        start < 0 ||
        end > n ||
        end <= start ||
        start <= previousEnd
      ) {
        add({
          kind: "bad-range",
          shard: info.shard,
          message: `shard ${info.shard} has range [${start}, ${end}), not ascending, non-adjacent and within [0, ${n})`,
        });
        continue;
      }
      previousEnd = end;
      count += end - start;
      if (vertical) continue;
      for (let i = start; i < end; i++) {
        const other = holder[i]!;
        if (other !== -1) {
          add({
            kind: "overlap",
            shard: info.shard,
            row: i,
            message: `sample ${i} is in shards ${other} and ${info.shard}`,
          });
        } else holder[i] = info.shard;
      }
    }
    if (count !== info.count) {
      add({
        kind: "count",
        shard: info.shard,
        message: `shard ${info.shard} says ${info.count} samples, its ranges hold ${count}`,
      });
    }
    if (vertical && count !== n) {
      add({
        kind: "not-covered",
        shard: info.shard,
        message: `feature shard ${info.shard} holds ${count} of ${n} samples; it must hold all`,
      });
    }
  }
  if (!vertical) {
    for (let i = 0; i < n; i++) {
      if (holder[i] === -1) add({ kind: "not-covered", row: i, message: `sample ${i} is in no shard` });
    }
  }
  const k = sharding.shards.length;
  if (sharding.strategy === "sample" && k > 0) {
    const counts = sharding.shards.map((s) => s.count);
    const low = Math.min(...counts);
    const high = Math.max(...counts);
    if (high - low > 1) {
      add({
        kind: "unbalanced",
        message: `sample shard sizes range from ${low} to ${high}; they must differ by at most one`,
      });
    }
  }
  if (vertical) checkColumns(sharding, input, add);
  if (sharding.labelColumn !== undefined && input.column(sharding.labelColumn) !== undefined) {
    checkLabels(sharding, input, holder, add);
  }
  return out;
}

function checkColumns(sharding: Sharding, input: ShardingInput, add: (v: ShardingViolation) => void): void {
  const owner = new Map<string, number>();
  for (const info of sharding.shards) {
    for (const name of info.columns ?? []) {
      const first = owner.get(name);
      if (first !== undefined)
        add({
          kind: "columns",
          shard: info.shard,
          message: `column "${name}" is in shards ${first} and ${info.shard}`,
        });
      else owner.set(name, info.shard);
    }
  }
  for (const name of input.columns ?? []) {
    if (!owner.has(name)) add({ kind: "columns", message: `column "${name}" is in no feature shard` });
  }
}

function checkLabels(
  sharding: Sharding,
  input: ShardingInput,
  holder: Int32Array,
  add: (v: ShardingViolation) => void,
): void {
  const { classOf, classes } = readLabels(input, sharding.labelColumn);
  const k = sharding.shards.length;
  const total = new Float64Array(classes.length);
  const per = Array.from({ length: k }, () => new Float64Array(classes.length));
  for (let i = 0; i < classOf.length; i++) {
    total[classOf[i]!]!++;
    if (sharding.strategy === "feature") for (const p of per) p[classOf[i]!]!++;
    else if (holder[i]! >= 0 && holder[i]! < k) per[holder[i]!]![classOf[i]!]!++;
  }
  sharding.shards.forEach((info, s) => {
    classes.forEach((c, j) => {
      const actual = per[s]![j]!;
      if (info.labels !== undefined && (info.labels[c] ?? 0) !== actual) {
        add({
          kind: "labels",
          shard: s,
          message: `shard ${s} reports ${info.labels[c] ?? 0} samples of class "${c}", it holds ${actual}`,
        });
      }
      if (sharding.strategy === "class-balanced") {
        const low = Math.floor(total[j]! / k);
        const high = Math.ceil(total[j]! / k);
        if (actual < low || actual > high) {
          add({
            kind: "class-unbalanced",
            shard: s,
            message: `shard ${s} holds ${actual} samples of class "${c}"; the global ratio gives ${low}..${high}`,
          });
        }
      }
    });
  });
}
