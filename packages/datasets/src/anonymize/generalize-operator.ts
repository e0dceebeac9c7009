import { Utf8 } from "apache-arrow";
import { checkGeneralizeParams, type GeneralizeParams, generalizeValue } from "./generalize-value.js";
import type { ColumnOperator } from "./operator.js";

/** `generalize`: numeric bins, date truncation or text prefixes (see GeneralizeParams); the result is text. */
export const generalizeOperator: ColumnOperator<GeneralizeParams> = {
  checkParams: checkGeneralizeParams,
  apply(column, step, { where }) {
    return { values: column.values.map((v, row) => generalizeValue(v, step, where, row)), type: new Utf8() };
  },
};
