import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { luhnCheckDigit, luhnValid } from "./luhn.js";
import { createValueDetector } from "./value-detector.js";

const detector = createValueDetector();
const inCardColumn = detector.hintsFor("card_number");
const inNotes = detector.hintsFor("notes");

// A Luhn-valid number of a real issuer's prefix and length.
const cardNumber = fc
  .constantFrom(
    { prefix: "4", length: 16 },
    { prefix: "4", length: 13 },
    { prefix: "51", length: 16 },
    { prefix: "55", length: 16 },
    { prefix: "2221", length: 16 },
    { prefix: "34", length: 15 },
    { prefix: "37", length: 15 },
    { prefix: "6011", length: 16 },
    { prefix: "65", length: 19 },
  )
  .chain(({ prefix, length }) =>
    fc
      .array(fc.integer({ min: 0, max: 9 }), {
        minLength: length - prefix.length - 1,
        maxLength: length - prefix.length - 1,
      })
      .map((ds) => {
        const payload = prefix + ds.join("");
        return payload + luhnCheckDigit(payload);
      }),
  );

describe("scan properties", () => {
  it("finds every Luhn-valid card number: bare in a card column, grouped in any text", () => {
    fc.assert(
      fc.property(cardNumber, fc.constantFrom(" ", "-"), (n, sep) => {
        expect(luhnValid(n)).toBe(true);
        expect(detector.detect(n, inCardColumn)).toContain("credit_card");
        if (n.length === 16) {
          const grouped = n.match(/.{4}/g)!.join(sep);
          expect(detector.detect(`paid with ${grouped}.`, inNotes)).toContain("credit_card");
        }
      }),
    );
  });

  it("never finds a card whose last digit breaks Luhn", () => {
    fc.assert(
      fc.property(cardNumber, fc.integer({ min: 1, max: 9 }), (n, shift) => {
        const broken = n.slice(0, -1) + String((Number(n.at(-1)) + shift) % 10);
        expect(detector.detect(broken, inCardColumn)).not.toContain("credit_card");
      }),
    );
  });

  it("finds every IPv4 address and no four numbers with one above 255", () => {
    const octet = fc.integer({ min: 0, max: 255 });
    fc.assert(
      fc.property(octet, octet, octet, octet, fc.integer({ min: 256, max: 999 }), fc.nat(3), (a, b, c, d, big, at) => {
        expect(detector.detect(`from ${a}.${b}.${c}.${d}`, inNotes)).toContain("ip");
        const parts = [a, b, c, d];
        parts[at] = big;
        expect(detector.detect(parts.join("."), inNotes)).not.toContain("ip");
      }),
    );
  });
});
