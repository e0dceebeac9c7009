import { describe, expect, it } from "vitest";
import { formatEta, percentDone } from "./progress-format.js";

describe("formatEta", () => {
  it("shows a dash until there is a rate or an estimate", () => {
    expect(formatEta(undefined)).toBe("–");
    expect(formatEta(Number.NaN)).toBe("–");
  });

  it("shows rates per second and times as m:ss or h:mm:ss, rounding time up", () => {
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
