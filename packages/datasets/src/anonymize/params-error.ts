import { AnonymizeError } from "./anonymize-error.js";

/** A `CYXW_ANON_PARAMS` error located at `where`. */
export function paramsError(where: string, problem: string): AnonymizeError {
  return new AnonymizeError("CYXW_ANON_PARAMS", `${where}: ${problem}`);
}

/** An integer in [min, max], or `fallback` when absent. */
export function integerParam(
  params: Record<string, unknown>,
  key: string,
  where: string,
  range: { min: number; max?: number; fallback?: number },
): number {
  const value = params[key] ?? range.fallback;
  const max = range.max ?? Number.MAX_SAFE_INTEGER;
  if (typeof value !== "number" || !Number.isInteger(value) || value < range.min || value > max) {
    throw paramsError(
      where,
      `${key} must be an integer from ${range.min}${range.max === undefined ? "" : ` to ${range.max}`} (got ${JSON.stringify(value)})`,
    );
  }
  return value;
}

/** A finite number above zero. */
export function positiveParam(params: Record<string, unknown>, key: string, where: string): number {
  const value = params[key];
  if (typeof value !== "number" || !Number.isFinite(value) || value <= 0) {
    throw paramsError(where, `${key} must be a finite number above 0 (got ${JSON.stringify(value)})`);
  }
  return value;
}
