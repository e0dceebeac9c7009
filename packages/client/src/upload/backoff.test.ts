import { describe, expect, it } from "vitest";
import { backoffDelay, backoffExhausted } from "./backoff.js";

const options = { attempts: 3, initialDelayMs: 250, maxDelayMs: 10_000 };

describe("backoff", () => {
  it("doubles from the first delay up to the cap, at the top of the jitter range", () => {
    const top = () => 0.999_999;
    expect([1, 2, 3, 4, 5, 6, 7, 8].map((n) => backoffDelay(n, options, top))).toEqual([
      250, 500, 1000, 2000, 4000, 8000, 10_000, 10_000,
    ]);
  });

  it("jitters each delay down to half, never below", () => {
    expect(backoffDelay(1, options, () => 0)).toBe(125);
    expect(backoffDelay(3, options, () => 0.5)).toBe(750);
    expect(backoffDelay(60, options, () => 0)).toBe(5000); // a huge failure count stays at the cap
    for (let i = 0; i < 200; i++) {
      const d = backoffDelay(2, options);
      expect(d).toBeGreaterThanOrEqual(250);
      expect(d).toBeLessThanOrEqual(500);
    }
  });

  it("gives up after the allowed attempts, not before", () => {
    expect(backoffExhausted(3, options)).toBe(false);
    expect(backoffExhausted(4, options)).toBe(true);
    expect(backoffExhausted(1, { ...options, attempts: 0 })).toBe(true);
  });

  it("rejects a failure count below 1", () => {
    expect(() => backoffDelay(0, options)).toThrow(RangeError);
  });
});
