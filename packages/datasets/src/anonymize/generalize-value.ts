import { assertNever } from "@cyxwiz/protocol/errors";
import { AnonymizeError } from "./anonymize-error.js";
import { paramsObject } from "./operator.js";
import { integerParam, paramsError, positiveParam } from "./params-error.js";

/**
 * One generalisation step (also a level of a k-anonymity hierarchy):
 * - `bin`: numbers to the interval of `width` they fall in, counted from `origin` (0): 37 with
 *   width 10 gives `"[30, 40)"`;
 * - `date`: a date (a Date/Timestamp column, or ISO text) truncated to its UTC `year` (`"2024"`),
 *   `month` (`"2024-03"`) or `day` (`"2024-03-15"`);
 * - `prefix`: text cut to its first `length` characters (`"02139"` with 3 gives `"021"`).
 */
export type GeneralizeParams =
  | { readonly kind: "bin"; readonly width: number; readonly origin?: number }
  | { readonly kind: "date"; readonly unit: "year" | "month" | "day" }
  | { readonly kind: "prefix"; readonly length: number };

const DATE_UNITS = ["year", "month", "day"] as const;

/** Checks one step's parameters. @throws AnonymizeError `CYXW_ANON_PARAMS`. */
export function checkGeneralizeParams(params: unknown, where: string): GeneralizeParams {
  const p = paramsObject(params, where);
  switch (p.kind) {
    case "bin": {
      const origin = p.origin ?? 0;
      if (typeof origin !== "number" || !Number.isFinite(origin)) {
        throw paramsError(where, `origin must be a finite number (got ${JSON.stringify(origin)})`);
      }
      return { kind: "bin", width: positiveParam(p, "width", where), origin };
    }
    case "date":
      if (!DATE_UNITS.includes(p.unit as never)) {
        throw paramsError(where, `unit must be one of ${DATE_UNITS.join(", ")} (got ${JSON.stringify(p.unit)})`);
      }
      return { kind: "date", unit: p.unit as (typeof DATE_UNITS)[number] };
    case "prefix":
      return { kind: "prefix", length: integerParam(p, "length", where, { min: 0 }) };
    default:
      throw paramsError(where, `kind must be bin, date or prefix (got ${JSON.stringify(p.kind)})`);
  }
}

function numberOf(value: unknown): number | undefined {
  if (typeof value === "number") return Number.isFinite(value) ? value : undefined;
  if (typeof value === "bigint") return Number(value);
  if (typeof value === "string" && value.trim() !== "") {
    const n = Number(value);
    return Number.isFinite(n) ? n : undefined;
  }
  return undefined;
}

function timeOf(value: unknown): number | undefined {
  if (value instanceof Date) return value.getTime();
  if (typeof value === "number" || typeof value === "bigint") return Number(value);
  if (typeof value === "string") {
    const t = Date.parse(value);
    return Number.isNaN(t) ? undefined : t;
  }
  return undefined;
}

// Bin bounds without binary noise: 0.1 + 0.2 prints as 0.3.
const tidy = (n: number) => Number(n.toPrecision(12));

/**
 * One value generalised (null stays null).
 * @throws AnonymizeError `CYXW_ANON_VALUE` for a value of the wrong kind, `where` and `row` named.
 */
export function generalizeValue(value: unknown, step: GeneralizeParams, where: string, row: number): string | null {
  if (value === null || value === undefined) return null;
  const refuse = (what: string) =>
    new AnonymizeError("CYXW_ANON_VALUE", `${where}, row ${row}: ${JSON.stringify(String(value))} is not ${what}`);
  switch (step.kind) {
    case "bin": {
      const n = numberOf(value);
      if (n === undefined) throw refuse("a number");
      const origin = step.origin ?? 0;
      const low = origin + Math.floor((n - origin) / step.width) * step.width;
      return `[${tidy(low)}, ${tidy(low + step.width)})`;
    }
    case "date": {
      const t = timeOf(value);
      if (t === undefined || !Number.isFinite(t)) throw refuse("a date");
      const iso = new Date(t).toISOString();
      return iso.slice(0, step.unit === "year" ? 4 : step.unit === "month" ? 7 : 10);
    }
    case "prefix":
      return Array.from(String(value)).slice(0, step.length).join("");
    default:
      return assertNever(step);
  }
}
