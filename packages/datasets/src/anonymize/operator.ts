import type { DataType } from "apache-arrow";
import { paramsError } from "./params-error.js";

/** What an operator is given besides the values: the caller's key and randomness. */
export interface OperatorContext {
  /** The owner's key for `hash` (checked by applyAnonymizers before any step runs). */
  readonly ownerKey: Uint8Array | undefined;
  /** Uniform numbers in [0, 1) for `noise`. */
  readonly random: () => number;
  /** Where a failure happened, for messages: `plan step 2 (column "age", noise)`. */
  readonly where: string;
}

/** A column's values as JavaScript values (null for null) and its Arrow type. */
export interface ColumnValues {
  readonly values: readonly unknown[];
  readonly type: DataType;
}

/** One per-column anonymizer: checks its parameters, then maps a column to a new one. */
export interface ColumnOperator<P> {
  /**
   * The parameters, checked and with defaults filled in.
   * @throws AnonymizeError `CYXW_ANON_PARAMS`, the message starting with `where`.
   */
  checkParams(params: unknown, where: string): P;
  /**
   * The new column (same length; nulls stay null).
   * @throws AnonymizeError `CYXW_ANON_VALUE` for a value it cannot transform, naming the row.
   */
  apply(column: ColumnValues, params: P, context: OperatorContext): ColumnValues;
}

/** The params object, or an empty one for undefined. @throws AnonymizeError for anything else. */
export function paramsObject(params: unknown, where: string): Record<string, unknown> {
  if (params === undefined) return {};
  if (typeof params !== "object" || params === null || Array.isArray(params)) {
    throw paramsError(where, "params must be an object");
  }
  return params as Record<string, unknown>;
}
