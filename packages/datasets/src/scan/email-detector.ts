import { tokensHint } from "./column-name-tokens.js";
import type { Detector } from "./detector.js";
import { strongestVerdict } from "./detector.js";

// Seed §4.3's PATTERN_EMAIL, narrowed: a dot-atom local part, a host of DNS labels and a
// letters-only top-level domain of 2 to 24 letters (so `user@localhost` and `a@1.2` are not emails).
const EMAIL =
  /(?<![\w.%+-])([A-Za-z0-9][A-Za-z0-9._%+-]*)@((?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+)([A-Za-z]{2,24})(?![\w-]|\.[A-Za-z0-9])/g;

const HINT_WORDS = new Set(["email", "emails", "mail", "emailaddress"]);

/** `email`: addresses in any text; always a `match` once validated (no bare form to confuse). */
export const emailDetector: Detector = {
  classification: "confidential",
  hintedBy: (tokens) => tokensHint(tokens, HINT_WORDS, ["email"]),
  detect(text) {
    if (!text.includes("@")) return undefined;
    return strongestVerdict(text, EMAIL, (m) => {
      const local = m[1]!;
      const host = m[2]! + m[3]!;
      // RFC 5321 limits (64 octets local part, 253 for the domain); no empty dot-atoms.
      if (local.length > 64 || host.length > 253) return undefined;
      if (local.endsWith(".") || local.includes("..")) return undefined;
      return "match";
    });
  },
};
