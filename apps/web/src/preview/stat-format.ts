/**
 * A statistic as a preview shows it: integers with thousands separators, other numbers to four
 * significant digits (exponent form beyond 1e6 or below 1e-3), strings as they are, a dash when
 * absent.
 */
export function formatStat(value: number | string | undefined): string {
  if (value === undefined) return "–";
  if (typeof value === "string") return value;
  if (Number.isNaN(value)) return "NaN";
  if (!Number.isFinite(value)) return value > 0 ? "∞" : "−∞";
  if (Number.isInteger(value) && Math.abs(value) < 1e15) return value.toLocaleString("en-US");
  const abs = Math.abs(value);
  if (abs !== 0 && (abs >= 1e6 || abs < 1e-3)) return value.toExponential(3);
  return Number(value.toPrecision(4)).toString();
}
