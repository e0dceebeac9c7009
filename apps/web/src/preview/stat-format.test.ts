import { describe, expect, it } from "vitest";
import { formatStat } from "./stat-format.js";

describe("formatStat", () => {
  it("writes integers whole with separators, other numbers to four significant digits", () => {
    expect(formatStat(60000)).toBe("60,000");
    expect(formatStat(-3)).toBe("-3");
    expect(formatStat(33.318421)).toBe("33.32");
    expect(formatStat(0.1307)).toBe("0.1307");
  });

  it("switches to exponent form for very large and very small values", () => {
    expect(formatStat(1234567.5)).toBe("1.235e+6");
    expect(formatStat(0.000012)).toBe("1.200e-5");
  });

  it("shows strings as given, a dash when absent, and non-finite numbers by name", () => {
    expect(formatStat("2026-01-31")).toBe("2026-01-31");
    expect(formatStat(undefined)).toBe("–");
    expect(formatStat(Number.NaN)).toBe("NaN");
    expect(formatStat(Number.NEGATIVE_INFINITY)).toBe("−∞");
  });
});
