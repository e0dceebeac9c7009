import { hexToBytes, utf8ToBytes } from "@noble/hashes/utils.js";
import { describe, expect, it } from "vitest";
import { cryptoRandom } from "./crypto-random.js";
import { generalizeValue } from "./generalize-value.js";
import { createPseudonymizer, pseudonym } from "./hash-operator.js";
import { maskText } from "./mask-operator.js";
import { laplaceSample } from "./noise-operator.js";
import { createSeededRandom } from "./seeded-random.js";

describe("hash", () => {
  // RFC 4231 §4.2 and §4.3 (HMAC-SHA-256 test cases 1 and 2).
  it("computes HMAC-SHA256 as RFC 4231 says", () => {
    expect(pseudonym(hexToBytes("0b".repeat(20)), "Hi There")).toBe(
      "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7",
    );
    expect(pseudonym(utf8ToBytes("Jefe"), "what do ya want for nothing?")).toBe(
      "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843",
    );
  });

  it("keeps no state between values under one key", () => {
    const of = createPseudonymizer(hexToBytes("0b".repeat(20)));
    const first = of("Hi There");
    expect(of("something else")).not.toBe(first);
    expect(of("Hi There")).toBe(first);
    expect(createPseudonymizer(hexToBytes("0b".repeat(20)))("Hi There")).toBe(
      "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7",
    );
  });

  it("truncates to the length asked", () => {
    expect(pseudonym(utf8ToBytes("Jefe"), "what do ya want for nothing?", 16)).toBe("5bdcc146bf60754e");
  });
});

describe("mask", () => {
  it("keeps the last N characters and never the whole value", () => {
    expect(maskText("4111111111111111", 4, "*")).toBe("************1111");
    expect(maskText("ab", 4, "#")).toBe("#b");
    expect(maskText("x", 4, "*")).toBe("*");
    expect(maskText("", 4, "*")).toBe("");
    expect(maskText("secret", 0, "*")).toBe("******");
    expect(maskText("naïve😀", 2, "*")).toBe("****e😀");
  });
});

describe("generalize", () => {
  it("bins numbers", () => {
    expect(generalizeValue(37, { kind: "bin", width: 10 }, "t", 0)).toBe("[30, 40)");
    expect(generalizeValue(-1, { kind: "bin", width: 10 }, "t", 0)).toBe("[-10, 0)");
    expect(generalizeValue(7n, { kind: "bin", width: 5, origin: 1 }, "t", 0)).toBe("[6, 11)");
    expect(generalizeValue(0.35, { kind: "bin", width: 0.1 }, "t", 0)).toBe("[0.3, 0.4)");
    expect(generalizeValue("42", { kind: "bin", width: 20 }, "t", 0)).toBe("[40, 60)");
    expect(generalizeValue(null, { kind: "bin", width: 20 }, "t", 0)).toBeNull();
  });

  it("truncates dates to year, month or day (UTC)", () => {
    const t = Date.UTC(2024, 2, 15, 23, 30);
    expect(generalizeValue(t, { kind: "date", unit: "year" }, "t", 0)).toBe("2024");
    expect(generalizeValue(new Date(t), { kind: "date", unit: "month" }, "t", 0)).toBe("2024-03");
    expect(generalizeValue("2024-03-15T23:30:00Z", { kind: "date", unit: "day" }, "t", 0)).toBe("2024-03-15");
  });

  it("cuts text to a prefix", () => {
    expect(generalizeValue("02139", { kind: "prefix", length: 3 }, "t", 0)).toBe("021");
    expect(generalizeValue(2139, { kind: "prefix", length: 2 }, "t", 0)).toBe("21");
  });

  it("names the step and row of a value it cannot generalise", () => {
    expect(() => generalizeValue("abc", { kind: "bin", width: 10 }, "plan step 1", 7)).toThrow(
      /plan step 1, row 7: "abc" is not a number/,
    );
    expect(() => generalizeValue("soon", { kind: "date", unit: "year" }, "plan step 0", 2)).toThrow(/row 2.*a date/);
  });
});

describe("noise", () => {
  it("draws Laplace noise of scale sensitivity/epsilon: mean |x| ≈ b, variance ≈ 2b²", () => {
    const random = createSeededRandom(42);
    for (const [sensitivity, epsilon] of [
      [1, 0.5],
      [10, 2],
      [1, 4],
    ] as const) {
      const b = sensitivity / epsilon;
      const draws = Array.from({ length: 50_000 }, () => laplaceSample(b, random));
      const mean = draws.reduce((s, x) => s + x, 0) / draws.length;
      const meanAbs = draws.reduce((s, x) => s + Math.abs(x), 0) / draws.length;
      const variance = draws.reduce((s, x) => s + (x - mean) ** 2, 0) / draws.length;
      expect(Math.abs(mean)).toBeLessThan(0.03 * b);
      expect(meanAbs / b).toBeGreaterThan(0.97);
      expect(meanAbs / b).toBeLessThan(1.03);
      expect(variance / (2 * b * b)).toBeGreaterThan(0.93);
      expect(variance / (2 * b * b)).toBeLessThan(1.07);
    }
  });

  it("is reproducible with a seed and different across seeds", () => {
    const draw = (seed: number) => {
      const random = createSeededRandom(seed);
      return Array.from({ length: 5 }, () => laplaceSample(1, random));
    };
    expect(draw(7)).toEqual(draw(7));
    expect(draw(7)).not.toEqual(draw(8));
  });

  it("draws crypto randomness uniformly in [0, 1)", () => {
    const draws = Array.from({ length: 20_000 }, cryptoRandom);
    expect(draws.every((x) => x >= 0 && x < 1)).toBe(true);
    const mean = draws.reduce((s, x) => s + x, 0) / draws.length;
    expect(Math.abs(mean - 0.5)).toBeLessThan(0.01);
  });
});
