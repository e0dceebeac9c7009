import { Utf8 } from "apache-arrow";
import type { ColumnOperator } from "./operator.js";
import { paramsObject } from "./operator.js";
import { integerParam, paramsError } from "./params-error.js";

/** `mask` parameters. */
export interface MaskParams {
  /** Characters kept at the end; 4 unless given. Never the whole value: at most its length - 1. */
  readonly keep?: number;
  /** The character that replaces the others; `*` unless given. */
  readonly char?: string;
}

/**
 * The masked text: every character (code point) but the last `keep` replaced by `char`, so the
 * length stays visible but a value is never shown whole (`"12"` with keep 4 gives `"*2"`).
 */
export function maskText(text: string, keep: number, char: string): string {
  const chars = Array.from(text);
  const shown = Math.min(keep, Math.max(chars.length - 1, 0));
  return char.repeat(chars.length - shown) + chars.slice(chars.length - shown).join("");
}

/** `mask`: keep the last N characters, replace the rest. Any column; the result is text. */
export const maskOperator: ColumnOperator<Required<MaskParams>> = {
  checkParams(params, where) {
    const p = paramsObject(params, where);
    const keep = integerParam(p, "keep", where, { min: 0, max: 64, fallback: 4 });
    const char = p.char ?? "*";
    if (typeof char !== "string" || Array.from(char).length !== 1) {
      throw paramsError(where, `char must be one character (got ${JSON.stringify(char)})`);
    }
    return { keep, char };
  },
  apply(column, { keep, char }) {
    return {
      values: column.values.map((v) => (v === null ? null : maskText(String(v), keep, char))),
      type: new Utf8(),
    };
  },
};
