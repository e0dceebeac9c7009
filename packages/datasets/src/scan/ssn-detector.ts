import { tokensHint } from "./column-name-tokens.js";
import type { Detector } from "./detector.js";
import { strongestVerdict } from "./detector.js";

// Seed §4.3's PATTERN_SSN (3-2-4 digits), with the separator optional and, when present, the
// same twice; not inside a longer run of digits, words or dashes.
const SSN = /(?<![\w#/.-])(\d{3})([ -]?)(\d{2})\2(\d{4})(?![\w/-]|\.\d)/g;

// Numbers the SSA never issues or that were published and voided (the Woolworth wallet card).
const VOIDED = new Set(["078051120", "219099999"]);

const HINT_WORDS = new Set(["ssn", "ssns", "socialsecurity", "socialsecuritynumber", "sin", "tin", "itin"]);

/** `ssn`: US Social Security numbers; dashed or spaced is a `match`, nine bare digits `borderline`. */
export const ssnDetector: Detector = {
  classification: "restricted",
  hintedBy: (tokens) => tokensHint(tokens, HINT_WORDS, ["socialsecurity"]),
  detect(text) {
    return strongestVerdict(text, SSN, (m) => {
      const [, area, separator, group, serial] = m as unknown as [string, string, string, string, string];
      // SSA rules: no area 000, 666 or 900-999; no group 00; no serial 0000.
      if (area === "000" || area === "666" || area.startsWith("9")) return undefined;
      if (group === "00" || serial === "0000") return undefined;
      if (VOIDED.has(area + group + serial)) return undefined;
      return separator === "" ? "borderline" : "match";
    });
  },
};
