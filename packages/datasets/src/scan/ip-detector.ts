import { tokensHint } from "./column-name-tokens.js";
import type { Detector } from "./detector.js";
import { strongestVerdict } from "./detector.js";

// Four dotted numbers (seed §4.3's PATTERN_IP_ADDRESS) not preceded by a word character or a dot
// and not followed by another `.digit` (so `1.2.3.4.5` and `v1.2.3.4` are versions, not addresses).
const IPV4 = /(?<![\w.])(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})(?![\w]|\.\d)/g;
// Hex groups and colons, possibly ending in a dotted IPv4 address; checked by parseIpv6Groups.
const IPV6 = /(?<![\w:.])(?:[0-9A-Fa-f]{0,4}:){2,7}(?:[0-9A-Fa-f]{1,4}|\d{1,3}(?:\.\d{1,3}){3})?(?![\w:]|\.\d)/g;

const HINT_WORDS = new Set(["ip", "ips", "ipv4", "ipv6", "ipaddr", "ipaddress", "remoteaddr", "clientip"]);

// A dotted number right after a version word is a version: `Build 1.2.3.4`, `version: 10.0.19041.1`.
const VERSION_CONTEXT = /\b(?:v|ver|version|build|release|rev|revision)\s*[:#]?\s*$/i;

/**
 * Whether four decimal strings are octets: 0 to 255, written without leading zeros or all four
 * zero-padded to three digits (`010.001.002.003`, as some logs print them); `01.2.3.4` is neither.
 */
export function validOctets(parts: readonly string[]): boolean {
  if (parts.length !== 4 || !parts.every((p) => /^\d{1,3}$/.test(p) && Number(p) <= 255)) return false;
  return parts.every((p) => p.length === 3) || parts.every((p) => /^(?:0|[1-9]\d*)$/.test(p));
}

/** Whether `text` is an IPv6 address in RFC 4291 text form (with `::` at most once). */
export function validIpv6(text: string): boolean {
  const halves = text.split("::");
  if (halves.length > 2) return false;
  const groups = halves.flatMap((h) => (h === "" ? [] : h.split(":")));
  let count = groups.length;
  const last = groups.at(-1);
  if (last?.includes(".")) {
    if (!validOctets(last.split("."))) return false;
    groups.pop();
    count += 1;
  }
  if (!groups.every((g) => /^[0-9A-Fa-f]{1,4}$/.test(g))) return false;
  if (halves.length === 2) return count <= 7 && count >= 1;
  return count === 8;
}

/**
 * `ip`: IPv4 addresses with every octet in 0-255 (not right after a version word), and IPv6
 * addresses; always a `match`.
 */
export const ipDetector: Detector = {
  classification: "confidential",
  hintedBy: (tokens) => tokensHint(tokens, HINT_WORDS, ["ipaddr"]),
  detect(text) {
    if (text.includes(".")) {
      const v4 = strongestVerdict(text, IPV4, (m) =>
        validOctets(m.slice(1, 5)) && !VERSION_CONTEXT.test(text.slice(Math.max(0, m.index - 12), m.index))
          ? "match"
          : undefined,
      );
      if (v4 !== undefined) return v4;
    }
    if (!text.includes(":")) return undefined;
    return strongestVerdict(text, IPV6, (m) => (validIpv6(m[0]) ? "match" : undefined));
  },
};
