import type { ColumnOperator } from "./operator.js";
import { paramsObject } from "./operator.js";
import { paramsError } from "./params-error.js";

/** `suppress`: every value becomes null; the column and its type stay. Takes no parameters. */
export const suppressOperator: ColumnOperator<Record<string, never>> = {
  checkParams(params, where) {
    const keys = Object.keys(paramsObject(params, where));
    if (keys.length > 0) throw paramsError(where, `suppress takes no parameters (got ${keys.join(", ")})`);
    return {};
  },
  apply(column) {
    return { values: column.values.map(() => null), type: column.type };
  },
};
