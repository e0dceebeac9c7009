import { type Field, Table, type Vector, vectorFromArray } from "apache-arrow";
import { AnonymizeError } from "./anonymize-error.js";
import { cryptoRandom } from "./crypto-random.js";
import type { GeneralizeParams } from "./generalize-value.js";
import type { HashParams } from "./hash-operator.js";
import { MIN_OWNER_KEY_BYTES } from "./hash-operator.js";
import {
  type CheckedKAnonymityParams,
  checkKAnonymityParams,
  type KAnonymityParams,
  kAnonymize,
} from "./k-anonymity.js";
import type { MaskParams } from "./mask-operator.js";
import type { NoiseParams } from "./noise-operator.js";
import type { ColumnValues } from "./operator.js";
import {
  ANONYMIZER_NAMES,
  type ColumnOperatorName,
  columnOperator,
  isColumnOperatorName,
} from "./operator-registry.js";

/** One step of a plan: an operator on one column, or k-anonymity over several. */
export type PlanStep =
  | { readonly column: string; readonly operator: "mask"; readonly params?: MaskParams }
  | { readonly column: string; readonly operator: "hash"; readonly params?: HashParams }
  | { readonly column: string; readonly operator: "generalize"; readonly params: GeneralizeParams }
  | { readonly column: string; readonly operator: "suppress"; readonly params?: Record<string, never> }
  | { readonly column: string; readonly operator: "noise"; readonly params: NoiseParams }
  | { readonly columns: readonly string[]; readonly operator: "kAnonymity"; readonly params: KAnonymityParams };

/** What the caller hands in besides the plan. */
export interface AnonymizeOptions {
  /** The owner's key for `hash` (at least 16 bytes), the same for every file of one owner. */
  readonly ownerKey?: Uint8Array;
  /** Uniform numbers in [0, 1) for `noise`; `globalThis.crypto` unless given (tests pass a seeded one). */
  readonly random?: () => number;
}

/** What one step did. */
export type StepReport =
  | {
      readonly operator: ColumnOperatorName;
      readonly column: string;
      /** Non-null values transformed. */
      readonly values: number;
    }
  | {
      readonly operator: "kAnonymity";
      readonly columns: readonly string[];
      readonly k: number;
      /** The smallest group left (at least k, or 0 when every row was suppressed). */
      readonly kReached: number;
      readonly rowsSuppressed: number;
      /** The hierarchy level each column ended at (0: unchanged). */
      readonly levels: Readonly<Record<string, number>>;
    };

/** What {@link applyAnonymizers} did, step by step. */
export interface AnonymizeReport {
  readonly rowsIn: number;
  readonly rowsOut: number;
  readonly steps: readonly StepReport[];
}

type CheckedStep =
  | { readonly kind: "column"; readonly name: ColumnOperatorName; readonly column: string; readonly params: unknown }
  | { readonly kind: "kAnonymity"; readonly columns: readonly string[]; readonly params: CheckedKAnonymityParams };

function whereOf(index: number, step: { column?: unknown; columns?: unknown; operator?: unknown }): string {
  const target =
    step.columns !== undefined ? `columns ${JSON.stringify(step.columns)}` : `column ${JSON.stringify(step.column)}`;
  return `plan step ${index} (${target}, ${String(step.operator)})`;
}

function checkPlan(plan: readonly PlanStep[], names: ReadonlySet<string>, options: AnonymizeOptions): CheckedStep[] {
  const known = [...names].join(", ");
  const needColumn = (column: unknown, where: string): string => {
    if (typeof column !== "string" || !names.has(column)) {
      throw new AnonymizeError(
        "CYXW_ANON_UNKNOWN_COLUMN",
        `${where}: the table has no column ${JSON.stringify(column)} (columns: ${known})`,
      );
    }
    return column;
  };
  return plan.map((step, index) => {
    const where = whereOf(index, step as never);
    const operator: unknown = step.operator;
    if (operator === "kAnonymity") {
      const { columns } = step as { columns?: unknown };
      if (!Array.isArray(columns) || columns.length === 0) {
        throw new AnonymizeError("CYXW_ANON_PARAMS", `${where}: kAnonymity needs a non-empty list of columns`);
      }
      const checked = columns.map((c) => needColumn(c, where));
      return { kind: "kAnonymity", columns: checked, params: checkKAnonymityParams(step.params, checked, where) };
    }
    if (!isColumnOperatorName(operator)) {
      throw new AnonymizeError(
        "CYXW_ANON_UNKNOWN_OPERATOR",
        `${where}: unknown operator ${JSON.stringify(operator)} (known: ${ANONYMIZER_NAMES.join(", ")})`,
      );
    }
    const column = needColumn((step as { column?: unknown }).column, where);
    if (operator === "hash" && (options.ownerKey === undefined || options.ownerKey.length < MIN_OWNER_KEY_BYTES)) {
      throw new AnonymizeError(
        "CYXW_ANON_KEY",
        `${where}: hash needs an owner key of at least ${MIN_OWNER_KEY_BYTES} bytes`,
      );
    }
    return { kind: "column", name: operator, column, params: columnOperator(operator).checkParams(step.params, where) };
  });
}

/** A column in flight: the original vector until a step touches it, then plain values. */
interface WorkingColumn {
  readonly field: Field;
  vector: Vector | undefined;
  current: ColumnValues | undefined;
}

function valuesOf(column: WorkingColumn): ColumnValues {
  if (column.current === undefined) {
    const vector = column.vector!;
    column.current = {
      values: Array.from({ length: vector.length }, (_, i) => vector.get(i)),
      type: column.field.type,
    };
  }
  return column.current;
}

/**
 * Applies an anonymisation plan to a table (seed §4.3's DataAnonymizer), step by step in order,
 * and returns a new table (the input is left as it was) with what each step did. The whole plan
 * is checked before any step runs. docs/personal-data.md describes each operator.
 *
 * @throws AnonymizeError `CYXW_ANON_UNKNOWN_COLUMN`, `CYXW_ANON_UNKNOWN_OPERATOR`,
 *   `CYXW_ANON_PARAMS` or `CYXW_ANON_KEY` for a plan that cannot run, naming the step;
 *   `CYXW_ANON_VALUE` for a value an operator cannot transform, naming the step and row.
 * @example
 * const { table: safe, report } = applyAnonymizers(table, [
 *   { column: "email", operator: "hash" },
 *   { column: "card", operator: "mask", params: { keep: 4 } },
 *   { columns: ["age", "zip"], operator: "kAnonymity", params: { k: 5, hierarchies: {
 *     age: [{ kind: "bin", width: 10 }, { kind: "bin", width: 20 }],
 *     zip: [{ kind: "prefix", length: 3 }, { kind: "prefix", length: 1 }] } } },
 * ], { ownerKey });
 */
export function applyAnonymizers(
  table: Table,
  plan: readonly PlanStep[],
  options: AnonymizeOptions = {},
): { table: Table; report: AnonymizeReport } {
  const fields = table.schema.fields;
  const steps = checkPlan(plan, new Set(fields.map((f) => f.name)), options);
  const random = options.random ?? cryptoRandom;
  const columns = new Map<string, WorkingColumn>(
    fields.map((field) => [field.name, { field, vector: table.getChild(field.name) ?? undefined, current: undefined }]),
  );
  let keep: boolean[] | undefined;
  const reports: StepReport[] = steps.map((step, index): StepReport => {
    const where = whereOf(index, plan[index]!);
    if (step.kind === "column") {
      const working = columns.get(step.column)!;
      const input = valuesOf(working);
      working.current = columnOperator(step.name).apply(input, step.params, {
        ownerKey: options.ownerKey,
        random,
        where,
      });
      const values = input.values.reduce<number>((n, v, row) => n + (v !== null && (keep?.[row] ?? true) ? 1 : 0), 0);
      return { operator: step.name, column: step.column, values };
    }
    // Rows already suppressed by an earlier kAnonymity step take no part in this one.
    const rowsBefore = keep;
    const rowIndices = Array.from({ length: table.numRows }, (_, i) => i).filter((i) => rowsBefore?.[i] ?? true);
    const quasi = new Map(
      step.columns.map((name) => {
        const { values, type } = valuesOf(columns.get(name)!);
        return [name, { values: rowIndices.map((i) => values[i]), type }];
      }),
    );
    const outcome = kAnonymize(quasi, step.params, where);
    keep = Array.from({ length: table.numRows }, () => false);
    rowIndices.forEach((row, j) => {
      keep![row] = outcome.kept[j]!;
    });
    for (const [name, generalized] of outcome.columns) {
      const full: unknown[] = Array.from({ length: table.numRows }, () => null);
      rowIndices.forEach((row, j) => {
        full[row] = generalized.values[j];
      });
      columns.get(name)!.current = { values: full, type: generalized.type };
    }
    return {
      operator: "kAnonymity",
      columns: step.columns,
      k: step.params.k,
      kReached: outcome.kReached,
      rowsSuppressed: outcome.rowsSuppressed,
      levels: outcome.levels,
    };
  });

  const out: Record<string, Vector> = {};
  for (const [name, working] of columns) {
    if (working.current === undefined && keep === undefined) {
      out[name] = working.vector!;
      continue;
    }
    const { values, type } = valuesOf(working);
    out[name] = vectorFromArray(keep === undefined ? values : values.filter((_, row) => keep![row]), type);
  }
  const result = new Table(out);
  return { table: result, report: { rowsIn: table.numRows, rowsOut: result.numRows, steps: reports } };
}
