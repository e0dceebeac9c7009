import { describe, expect, it } from "vitest";
import { formatBytes, formatEta, formatRate, percentDone } from "./progress-format.js";

describe("formatBytes", () => {
  it("shows small counts in bytes and larger ones with three significant figures", () => {
    expect(formatBytes(0)).toBe("0 B");
    expect(formatBytes(999)).toBe("999 B");
    expect(formatBytes(1500)).toBe("1.50 kB");
    expect(formatBytes(20_000_000)).toBe("20.0 MB");
    expect(formatBytes(20 * 1024 * 1024)).toBe("21.0 MB");
    expect(formatBytes(123_456_789)).toBe("123 MB");
    expect(formatBytes(1_073_741_824)).toBe("1.07 GB");
  });

  it("moves to the next unit instead of showing 1000 of one", () => {
    expect(formatBytes(999_999)).toBe("1.00 MB");
  });

  it("refuses negative and non-finite counts", () => {
    expect(() => formatBytes(-1)).toThrow(RangeError);
    expect(() => formatBytes(Number.NaN)).toThrow(RangeError);
  });
});

describe("formatRate and formatEta", () => {
  it("shows a dash until there is a rate or an estimate", () => {
    expect(formatRate(0)).toBe("–");
    expect(formatRate(Number.POSITIVE_INFINITY)).toBe("–");
    expect(formatEta(undefined)).toBe("–");
    expect(formatEta(Number.NaN)).toBe("–");
  });

  it("shows rates per second and times as m:ss or h:mm:ss, rounding time up", () => {
    expect(formatRate(45_300_000)).toBe("45.3 MB/s");
    expect(formatEta(0)).toBe("0:00");
    expect(formatEta(6.2)).toBe("0:07");
    expect(formatEta(725)).toBe("12:05");
    expect(formatEta(3729)).toBe("1:02:09");
  });
});

describe("percentDone", () => {
  it("rounds down so that 100 means everything is acknowledged", () => {
    expect(percentDone(0, 100)).toBe(0);
    expect(percentDone(999, 1000)).toBe(99);
    expect(percentDone(1000, 1000)).toBe(100);
    expect(percentDone(1, 3)).toBe(33);
  });

  it("treats an empty file as done once anything is acknowledged", () => {
    expect(percentDone(0, 0)).toBe(0);
    expect(percentDone(1, 0)).toBe(100);
  });
});
