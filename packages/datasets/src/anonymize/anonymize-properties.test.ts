import { tableFromJSON } from "apache-arrow";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { applyAnonymizers } from "./apply-anonymizers.js";
import { pseudonym } from "./hash-operator.js";
import { maskText } from "./mask-operator.js";

describe("anonymizer properties", () => {
  it("mask never reveals more than the last `keep` characters, nor a whole value", () => {
    fc.assert(
      fc.property(fc.string({ unit: "grapheme", maxLength: 40 }), fc.integer({ min: 0, max: 64 }), (text, keep) => {
        const chars = Array.from(text);
        const out = Array.from(maskText(text, keep, "*"));
        expect(out.length).toBe(chars.length);
        const shown = Math.min(keep, Math.max(chars.length - 1, 0));
        expect(out.slice(0, chars.length - shown).every((c) => c === "*")).toBe(true);
        expect(out.slice(chars.length - shown)).toEqual(chars.slice(chars.length - shown));
        if (chars.length > 0) expect(shown).toBeLessThan(chars.length);
      }),
    );
  });

  it("hash is the same for one key and differs across keys", () => {
    const key = fc.uint8Array({ minLength: 16, maxLength: 64 });
    fc.assert(
      fc.property(key, key, fc.string(), (k1, k2, value) => {
        fc.pre(k1.length !== k2.length || k1.some((b, i) => b !== k2[i]));
        expect(pseudonym(k1, value)).toBe(pseudonym(Uint8Array.from(k1), value));
        expect(pseudonym(k1, value)).not.toBe(pseudonym(k2, value));
      }),
    );
  });

  it("k-anonymity leaves every group of equal quasi-identifiers with at least k rows", () => {
    const row = fc.record({
      age: fc.integer({ min: 0, max: 99 }),
      zip: fc.stringMatching(/^[0-9]{5}$/),
      sex: fc.constantFrom("f", "m", "x"),
    });
    fc.assert(
      fc.property(
        fc.array(row, { minLength: 1, maxLength: 60 }),
        fc.integer({ min: 1, max: 6 }),
        fc.double({ min: 0, max: 0.5, noNaN: true }),
        (rows, k, maxSuppressionRate) => {
          const table = tableFromJSON(rows.map((r, id) => ({ id, ...r })));
          const { table: out, report } = applyAnonymizers(table, [
            {
              columns: ["age", "zip", "sex"],
              operator: "kAnonymity",
              params: {
                k,
                maxSuppressionRate,
                hierarchies: {
                  age: [
                    { kind: "bin", width: 10 },
                    { kind: "bin", width: 50 },
                  ],
                  zip: [
                    { kind: "prefix", length: 3 },
                    { kind: "prefix", length: 0 },
                  ],
                },
              },
            },
          ]);
          const step = report.steps[0]!;
          if (step.operator !== "kAnonymity") throw new Error("unexpected step");
          const groups = new Map<string, number>();
          for (let i = 0; i < out.numRows; i++) {
            const key = ["age", "zip", "sex"].map((c) => out.getChild(c)!.get(i)).join("|");
            groups.set(key, (groups.get(key) ?? 0) + 1);
          }
          for (const size of groups.values()) expect(size).toBeGreaterThanOrEqual(k);
          expect(out.numRows + step.rowsSuppressed).toBe(rows.length);
          expect(step.kReached).toBe(groups.size === 0 ? 0 : Math.min(...groups.values()));
        },
      ),
      { numRuns: 200 },
    );
  });
});
