import { tokensHint } from "./column-name-tokens.js";
import type { Detector, Verdict } from "./detector.js";
import { strongestVerdict } from "./detector.js";

// North American numbers (seed §4.3's PATTERN_PHONE, 3-3-4 digits) with an optional +1 and an
// optional parenthesised area code, and international numbers written with a leading +. Not
// preceded by a word character, `#`, `/`, `.` or `-` (so `INV-415-555-0132` and `#4155550132`
// are not phones) and not followed by more digits or a word.
const NANP = /(?<![\w#/.+-])(?:\+?1[ .-]?)?(?:\(\d{3}\)[ ]?|\d{3}[ .-]?)\d{3}[ .-]?\d{4}(?![\w/-]|\.\d)/g;
// The trunk prefix some countries print in brackets after the country code, `+44 (0)20 ...`, is
// allowed once and not counted.
const INTERNATIONAL = /(?<![\w#/.+-])\+[1-9]\d{0,2}(?: ?\(0\))?(?:[ .-]?\d){5,13}(?![\w/-]|\.\d)/g;

// Eight-to-ten digit runs that read as a date (YYYYMMDD, YYYYMMDDHH) are dates, not phones.
const COMPACT_DATE = /^(?:19|20)\d\d(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])/;

const HINT_WORDS = new Set(["phone", "phones", "telephone", "tel", "mobile", "cell", "cellphone", "fax", "msisdn"]);

function nanpVerdict(candidate: string): Verdict | undefined {
  let digits = candidate.replace(/\D/g, "");
  if (digits.length === 11) {
    if (!digits.startsWith("1")) return undefined;
    digits = digits.slice(1);
  }
  if (digits.length !== 10) return undefined;
  // NANP: neither the area code nor the exchange starts with 0 or 1; N11 area codes are services.
  if (!/^[2-9]\d\d[2-9]\d{6}$/.test(digits) || /^[2-9]11/.test(digits)) return undefined;
  if (/^(\d)\1+$/.test(digits)) return undefined;
  if (/^\d+$/.test(candidate)) return COMPACT_DATE.test(candidate) ? undefined : "borderline";
  // Separators must agree: 415-555.0132 is more likely two numbers glued together.
  const separators = new Set(candidate.replace(/^\+?1(?=[ .-]?[(\d])/, "").match(/[.-]/g) ?? []);
  return separators.size > 1 ? undefined : "match";
}

function internationalVerdict(candidate: string): Verdict | undefined {
  const digits = candidate.replace("(0)", "").replace(/\D/g, "");
  // E.164: at most 15 digits, country code first; +1 numbers follow the NANP rules.
  if (digits.length < 8 || digits.length > 15) return undefined;
  if (digits.startsWith("1")) return nanpVerdict(candidate);
  if (/^(\d)\1+$/.test(digits.slice(1))) return undefined;
  return "match";
}

/** `phone`: written numbers are a `match`; a bare 10- or 11-digit run is `borderline`. */
export const phoneDetector: Detector = {
  classification: "confidential",
  hintedBy: (tokens) => tokensHint(tokens, HINT_WORDS, ["phone"]),
  detect(text) {
    const nanp = strongestVerdict(text, NANP, (m) => nanpVerdict(m[0]));
    if (nanp === "match" || !text.includes("+")) return nanp;
    return strongestVerdict(text, INTERNATIONAL, (m) => internationalVerdict(m[0])) ?? nanp;
  },
};
