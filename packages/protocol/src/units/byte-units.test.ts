import { describe, expect, it } from "vitest";
import { formatBytes, formatRate, parseByteSize } from "./byte-units.js";

describe("formatBytes", () => {
  it("shows small counts in bytes and larger ones in decimal units with three significant figures", () => {
    expect(formatBytes(0)).toBe("0 B");
    expect(formatBytes(999)).toBe("999 B");
    expect(formatBytes(1500)).toBe("1.50 kB");
    expect(formatBytes(20_000_000)).toBe("20.0 MB");
    expect(formatBytes(20 * 1024 * 1024)).toBe("21.0 MB");
    expect(formatBytes(123_456_789)).toBe("123 MB");
    expect(formatBytes(1_073_741_824)).toBe("1.07 GB");
    expect(formatBytes(100 * 1024 ** 3)).toBe("107 GB");
  });

  it("moves to the next unit instead of showing 1000 of one", () => {
    expect(formatBytes(999_999)).toBe("1.00 MB");
  });

  it("refuses negative and non-finite counts", () => {
    expect(() => formatBytes(-1)).toThrow(RangeError);
    expect(() => formatBytes(Number.NaN)).toThrow(RangeError);
  });
});

describe("formatRate", () => {
  it("shows a rate per second in the units of sizes, and a dash until there is one", () => {
    expect(formatRate(45_300_000)).toBe("45.3 MB/s");
    expect(formatRate(0)).toBe("–");
    expect(formatRate(Number.POSITIVE_INFINITY)).toBe("–");
  });
});

describe("parseByteSize", () => {
  it("reads binary units as powers of 1024 and decimal units as powers of 1000", () => {
    expect(parseByteSize("4194304")).toBe(4194304);
    expect(parseByteSize("64KiB")).toBe(65536);
    expect(parseByteSize("4MiB")).toBe(4 * 1024 * 1024);
    expect(parseByteSize("4m")).toBe(4 * 1024 * 1024);
    expect(parseByteSize("4 MB")).toBe(4_000_000);
    expect(parseByteSize("1.5GB")).toBe(1_500_000_000);
    expect(parseByteSize("1gib")).toBe(1024 ** 3);
  });

  it("refuses what is not a whole number of bytes in a known unit", () => {
    expect(parseByteSize("")).toBeUndefined();
    expect(parseByteSize("4 furlongs")).toBeUndefined();
    expect(parseByteSize("-1")).toBeUndefined();
    expect(parseByteSize("1.5")).toBeUndefined();
    expect(parseByteSize("0.3KiB")).toBeUndefined();
  });
});
