import { generalizeOperator } from "./generalize-operator.js";
import { hashOperator } from "./hash-operator.js";
import { maskOperator } from "./mask-operator.js";
import { noiseOperator } from "./noise-operator.js";
import type { ColumnOperator } from "./operator.js";
import { suppressOperator } from "./suppress-operator.js";

/** The per-column anonymizers (seed §4.3's strategies), by name. */
const COLUMN_OPERATORS = {
  mask: maskOperator,
  hash: hashOperator,
  generalize: generalizeOperator,
  suppress: suppressOperator,
  noise: noiseOperator,
} as const;

/** A per-column anonymizer's name. */
export type ColumnOperatorName = keyof typeof COLUMN_OPERATORS;

/** The one list of anonymizer names: the per-column ones, then `kAnonymity` (over several columns). */
export const ANONYMIZER_NAMES = [...(Object.keys(COLUMN_OPERATORS) as ColumnOperatorName[]), "kAnonymity"] as const;

/** An anonymizer's name. */
export type AnonymizerName = ColumnOperatorName | "kAnonymity";

/** Whether `name` is a per-column anonymizer. */
export function isColumnOperatorName(name: unknown): name is ColumnOperatorName {
  return typeof name === "string" && Object.hasOwn(COLUMN_OPERATORS, name);
}

/** The per-column anonymizer of that name. */
export function columnOperator(name: ColumnOperatorName): ColumnOperator<unknown> {
  return COLUMN_OPERATORS[name] as ColumnOperator<unknown>;
}
