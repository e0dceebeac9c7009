import { tokensHint } from "./column-name-tokens.js";
import type { Detector } from "./detector.js";
import { strongestVerdict } from "./detector.js";
import { luhnValid } from "./luhn.js";

// 12 to 19 digits, optionally grouped by spaces or dashes (seed §4.3's PATTERN_CREDIT_CARD,
// widened to every issuer's length), not inside a longer run of digits, words or dashes.
const CARD = /(?<![\w#/.-])\d(?:[ -]?\d){11,18}(?![\w/-]|\.\d)/g;

/** Issuer prefixes (IIN ranges) and the lengths each issues, from the major networks' rules. */
const ISSUERS: readonly { readonly prefix: RegExp; readonly lengths: readonly number[] }[] = [
  { prefix: /^4/, lengths: [13, 16, 19] }, // Visa
  { prefix: /^(?:5[1-5]|222[1-9]|22[3-9]\d|2[3-6]\d\d|27[01]\d|2720)/, lengths: [16] }, // Mastercard
  { prefix: /^3[47]/, lengths: [15] }, // American Express
  { prefix: /^(?:6011|64[4-9]|65)/, lengths: [16, 17, 18, 19] }, // Discover
  { prefix: /^35(?:2[89]|[3-8]\d)/, lengths: [16, 17, 18, 19] }, // JCB
  { prefix: /^(?:30[0-5]|3095|36|3[89])/, lengths: [14, 15, 16, 17, 18, 19] }, // Diners Club
  { prefix: /^62/, lengths: [16, 17, 18, 19] }, // UnionPay
];

/** How grouped numbers are printed on cards and receipts (digits per group). */
const GROUPINGS = new Set(["4,4,4,4", "4,4,4,4,3", "4,4,4,4,2", "4,4,4,4,1", "4,6,5", "4,6,4", "4,4,4,1", "4,4,4,2"]);

const HINT_WORDS = new Set(["card", "cards", "cc", "ccn", "pan", "creditcard", "cardnumber", "ccnumber", "ccnum"]);

/** `credit_card`: Luhn-valid numbers of a known issuer's prefix and length. */
export const creditCardDetector: Detector = {
  classification: "restricted",
  hintedBy: (tokens) => tokensHint(tokens, HINT_WORDS, ["creditcard", "cardnumber", "cardno"]),
  detect(text) {
    return strongestVerdict(text, CARD, (m) => {
      const candidate = m[0];
      const digits = candidate.replace(/\D/g, "");
      if (!ISSUERS.some((i) => i.prefix.test(digits) && i.lengths.includes(digits.length))) return undefined;
      if (!luhnValid(digits)) return undefined;
      if (digits === candidate) return "borderline";
      // Grouped numbers: one kind of separator, groups as cards print them.
      if (new Set(candidate.match(/[ -]/g)).size > 1) return undefined;
      const groups = candidate.split(/[ -]/).map((g) => g.length);
      return GROUPINGS.has(groups.join(",")) ? "match" : undefined;
    });
  },
};
