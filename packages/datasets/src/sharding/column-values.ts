import { ShardingError, type ShardingErrorCode } from "./sharding-error.js";
import type { CellValue, ShardingInput } from "./sharding-types.js";

/**
 * The column `name` of `input`, checked: it exists and holds one value per sample.
 *
 * @throws ShardingError CYXW_ERR_SHARD_COLUMN naming the column (`role` says what it was for).
 */
export function requireColumn(input: ShardingInput, name: string | undefined, role: string): ArrayLike<CellValue> {
  if (name === undefined || name === "") {
    throw new ShardingError("CYXW_ERR_SHARD_COLUMN", `the ${role} column was not named (spec.column)`);
  }
  const values = input.column(name);
  if (values === undefined) {
    throw new ShardingError("CYXW_ERR_SHARD_COLUMN", `the ${role} column "${name}" is not in the dataset`, {
      column: name,
    });
  }
  if (values.length !== input.numSamples) {
    throw new ShardingError(
      "CYXW_ERR_SHARD_COLUMN",
      `the ${role} column "${name}" holds ${values.length} values for ${input.numSamples} samples`,
      { column: name },
    );
  }
  return values;
}

/**
 * A cell's canonical text: numbers and bigints in decimal (so `7`, `7n` and `"7"` are one key
 * whichever reader typed the column), strings as they are. Used as a class label and hash key.
 *
 * @throws ShardingError CYXW_ERR_SHARD_VALUE naming the row and column when the cell is missing.
 */
export function cellText(value: CellValue | undefined, row: number, column: string, role: string): string {
  if (value === null || value === undefined || (typeof value === "number" && Number.isNaN(value))) {
    throw missingValue(row, column, role);
  }
  if (typeof value === "number") return Object.is(value, -0) ? "0" : String(value);
  return typeof value === "bigint" ? value.toString(10) : value;
}

export function missingValue(row: number, column: string, role: string): ShardingError {
  return valueError(`row ${row} has no ${role} in column "${column}"`, row, column);
}

export function valueError(message: string, row: number, column: string): ShardingError {
  const code: ShardingErrorCode = "CYXW_ERR_SHARD_VALUE";
  return new ShardingError(code, message, { row, column });
}

/**
 * Each sample's class as a small integer, plus the class names sorted (by code unit), so the class
 * numbering depends only on the multiset of labels, never on the order of the rows.
 */
export function readLabels(
  input: ShardingInput,
  column: string | undefined,
): { readonly classOf: Uint32Array; readonly classes: readonly string[] } {
  const values = requireColumn(input, column, "label");
  const name = column!;
  const texts: string[] = new Array(input.numSamples);
  const seen = new Set<string>();
  for (let row = 0; row < input.numSamples; row++) {
    const text = cellText(values[row], row, name, "label");
    texts[row] = text;
    seen.add(text);
  }
  const classes = [...seen].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const numberOf = new Map(classes.map((c, i) => [c, i]));
  const classOf = new Uint32Array(input.numSamples);
  for (let row = 0; row < input.numSamples; row++) classOf[row] = numberOf.get(texts[row]!)!;
  return { classOf, classes };
}
