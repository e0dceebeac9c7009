import { Utf8 } from "apache-arrow";
import { checkGeneralizeParams, type GeneralizeParams, generalizeValue } from "./generalize-value.js";
import type { ColumnValues } from "./operator.js";
import { paramsObject } from "./operator.js";
import { integerParam, paramsError } from "./params-error.js";

/** `kAnonymity` parameters. */
export interface KAnonymityParams {
  /** Every group of rows with equal quasi-identifiers must hold at least k rows (1 or more). */
  readonly k: number;
  /**
   * Per quasi-identifier, its generalisation levels, least general first; each level is applied
   * to the original value. A column without one is only ever kept as it is.
   */
  readonly hierarchies?: Readonly<Record<string, readonly GeneralizeParams[]>>;
  /**
   * Generalisation stops once at most this fraction of the rows would have to be suppressed
   * (0.05 unless given); those rows are then removed.
   */
  readonly maxSuppressionRate?: number;
}

/** The parameters checked, with defaults filled in. */
export interface CheckedKAnonymityParams {
  readonly k: number;
  readonly hierarchies: ReadonlyMap<string, readonly GeneralizeParams[]>;
  readonly maxSuppressionRate: number;
}

/** What k-anonymisation did. */
export interface KAnonymityOutcome {
  /** The quasi-identifier columns after generalisation (all rows; the suppressed ones are in `kept`). */
  readonly columns: ReadonlyMap<string, ColumnValues>;
  /** Whether each row stays. */
  readonly kept: readonly boolean[];
  /** The smallest group among the rows kept (0 when none is kept). */
  readonly kReached: number;
  readonly rowsSuppressed: number;
  /** The hierarchy level each quasi-identifier ended at (0: as it was). */
  readonly levels: Readonly<Record<string, number>>;
}

/** Checks the parameters against the quasi-identifier columns. @throws AnonymizeError `CYXW_ANON_PARAMS`. */
export function checkKAnonymityParams(
  params: unknown,
  columns: readonly string[],
  where: string,
): CheckedKAnonymityParams {
  const p = paramsObject(params, where);
  const k = integerParam(p, "k", where, { min: 1 });
  const rate = p.maxSuppressionRate ?? 0.05;
  if (typeof rate !== "number" || !(rate >= 0 && rate <= 1)) {
    throw paramsError(where, `maxSuppressionRate must be a number from 0 to 1 (got ${JSON.stringify(rate)})`);
  }
  const given = paramsObject(p.hierarchies, `${where} hierarchies`);
  const hierarchies = new Map<string, readonly GeneralizeParams[]>();
  for (const [column, steps] of Object.entries(given)) {
    if (!columns.includes(column)) {
      throw paramsError(
        where,
        `hierarchies names "${column}", which is not one of the columns (${columns.join(", ")})`,
      );
    }
    if (!Array.isArray(steps)) throw paramsError(where, `hierarchies.${column} must be a list of generalize steps`);
    hierarchies.set(
      column,
      steps.map((s, i) => checkGeneralizeParams(s, `${where} hierarchies.${column}[${i}]`)),
    );
  }
  return { k, hierarchies, maxSuppressionRate: rate };
}

const NULL_KEY = "\u0000null";

/**
 * k-anonymity over the given quasi-identifier columns (a greedy full-domain generalisation in the
 * manner of Sweeney's Datafly): while more than `maxSuppressionRate` of the rows sit in groups
 * smaller than k, raise by one level the column with the most distinct values that still has a
 * level to go; then remove the rows still in groups smaller than k.
 *
 * @throws AnonymizeError `CYXW_ANON_VALUE` when a hierarchy level does not fit a value.
 */
export function kAnonymize(
  quasiIdentifiers: ReadonlyMap<string, ColumnValues>,
  params: CheckedKAnonymityParams,
  where: string,
): KAnonymityOutcome {
  const names = [...quasiIdentifiers.keys()];
  const rows = quasiIdentifiers.get(names[0]!)?.values.length ?? 0;
  const levels = names.map(() => 0);
  const cache = new Map<string, readonly string[]>();

  const keysAt = (c: number): readonly string[] => {
    const name = names[c]!;
    const id = `${name}\u0000${levels[c]}`;
    let keys = cache.get(id);
    if (keys === undefined) {
      const values = quasiIdentifiers.get(name)!.values;
      const step = levels[c] === 0 ? undefined : params.hierarchies.get(name)![levels[c]! - 1]!;
      keys = values.map((v, row) => {
        const g = step === undefined ? v : generalizeValue(v, step, `${where} (${name} level ${levels[c]})`, row);
        return g === null || g === undefined ? NULL_KEY : String(g);
      });
      cache.set(id, keys);
    }
    return keys;
  };

  const groupSizes = () => {
    const columnKeys = names.map((_, c) => keysAt(c));
    const rowKeys = Array.from({ length: rows }, (_, row) => JSON.stringify(columnKeys.map((keys) => keys[row])));
    const sizes = new Map<string, number>();
    for (const key of rowKeys) sizes.set(key, (sizes.get(key) ?? 0) + 1);
    return { rowKeys, sizes };
  };

  const budget = Math.floor(params.maxSuppressionRate * rows);
  let { rowKeys, sizes } = groupSizes();
  for (;;) {
    const small = rowKeys.filter((key) => sizes.get(key)! < params.k).length;
    if (small <= budget) break;
    let pick = -1;
    let mostDistinct = -1;
    names.forEach((name, c) => {
      if (levels[c]! >= (params.hierarchies.get(name)?.length ?? 0)) return;
      const distinct = new Set(keysAt(c)).size;
      if (distinct > mostDistinct) {
        mostDistinct = distinct;
        pick = c;
      }
    });
    if (pick < 0) break;
    levels[pick]! += 1;
    ({ rowKeys, sizes } = groupSizes());
  }

  const kept = rowKeys.map((key) => sizes.get(key)! >= params.k);
  let kReached = 0;
  for (const size of sizes.values()) {
    if (size >= params.k && (kReached === 0 || size < kReached)) kReached = size;
  }
  const columns = new Map<string, ColumnValues>();
  names.forEach((name, c) => {
    const original = quasiIdentifiers.get(name)!;
    if (levels[c] === 0) {
      columns.set(name, original);
    } else {
      const keys = keysAt(c);
      columns.set(name, { values: keys.map((k) => (k === NULL_KEY ? null : k)), type: new Utf8() });
    }
  });
  return {
    columns,
    kept,
    kReached,
    rowsSuppressed: kept.filter((k) => !k).length,
    levels: Object.fromEntries(names.map((name, c) => [name, levels[c]!])),
  };
}
