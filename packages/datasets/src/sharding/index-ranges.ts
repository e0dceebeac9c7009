import type { IndexRange } from "./sharding-types.js";

/**
 * Builds the compact form of an ascending list of sample indices: adjacent indices merge into one
 * `[start, end)` run, so a Sample shard is one range and a Hash shard is many short ones.
 */
export class RangeBuilder {
  private readonly runs: [number, number][] = [];
  private total = 0;

  /** Appends `index`, which must be greater than every index appended before. */
  push(index: number): void {
    this.pushRange(index, index + 1);
  }

  /** Appends `[start, end)`, which must start at or after the end of everything appended before. */
  pushRange(start: number, end: number): void {
    if (end <= start) return;
    const last = this.runs[this.runs.length - 1];
    if (last !== undefined && last[1] === start) last[1] = end;
    else this.runs.push([start, end]);
    this.total += end - start;
  }

  get count(): number {
    return this.total;
  }

  ranges(): IndexRange[] {
    return this.runs.map(([s, e]) => [s, e] as const);
  }
}

/** The compact ranges of an ascending list of indices. */
export function rangesFromSorted(indices: ArrayLike<number>): IndexRange[] {
  const builder = new RangeBuilder();
  for (let i = 0; i < indices.length; i++) builder.push(indices[i]!);
  return builder.ranges();
}

/** How many indices the ranges hold. */
export function countInRanges(ranges: readonly IndexRange[]): number {
  let n = 0;
  for (const [s, e] of ranges) n += e - s;
  return n;
}

/** Every index of the ranges, ascending. */
export function expandRanges(ranges: readonly IndexRange[]): Uint32Array {
  const out = new Uint32Array(countInRanges(ranges));
  let at = 0;
  for (const [s, e] of ranges) for (let i = s; i < e; i++) out[at++] = i;
  return out;
}
