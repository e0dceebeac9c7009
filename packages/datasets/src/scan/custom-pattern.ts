import { type ClassificationName, classificationFromName } from "@cyxwiz/protocol/vocab";
import { isBuiltInFindingType } from "./detector-registry.js";
import { ScanError } from "./scan-error.js";

/** A pattern of the owner's own, reported under its `name` (seed §4.3's `AddPattern`). */
export interface CustomPattern {
  /** The finding type it reports: lower-case letters, digits and `_`, starting with a letter. */
  readonly name: string;
  /** A RegExp, or its source text (compiled with the `u` flag). Matching anywhere in a value counts. */
  readonly pattern: RegExp | string;
  /** What a dataset holding it is suggested; `confidential` unless given. */
  readonly classification?: ClassificationName;
}

/** A custom pattern checked and compiled. */
export interface CompiledPattern {
  readonly name: string;
  readonly regex: RegExp;
  readonly classification: ClassificationName;
}

const NAME = /^[a-z][a-z0-9_]{0,63}$/;

/**
 * Checks and compiles the custom patterns; the `g` and `y` flags are dropped so testing a value
 * keeps no state between values.
 *
 * @throws ScanError `CYXW_SCAN_OPTIONS` for a bad, built-in or repeated name or an unknown
 *   classification; `CYXW_SCAN_PATTERN` for a source that does not compile or a pattern that
 *   matches the empty string (it would flag every value).
 */
export function compileCustomPatterns(patterns: readonly CustomPattern[]): CompiledPattern[] {
  const seen = new Set<string>();
  return patterns.map((p, index) => {
    const where = `custom pattern ${index} ("${p.name}")`;
    if (!NAME.test(p.name)) {
      throw new ScanError(
        "CYXW_SCAN_OPTIONS",
        `${where}: a name is lower-case letters, digits and _, starting with a letter`,
      );
    }
    if (isBuiltInFindingType(p.name)) {
      throw new ScanError("CYXW_SCAN_OPTIONS", `${where}: "${p.name}" is a built-in finding type`);
    }
    if (seen.has(p.name)) throw new ScanError("CYXW_SCAN_OPTIONS", `${where}: the name is given twice`);
    seen.add(p.name);
    const classification = p.classification ?? "confidential";
    if (classificationFromName(classification)?.name !== classification) {
      throw new ScanError("CYXW_SCAN_OPTIONS", `${where}: unknown classification "${classification}"`);
    }
    let regex: RegExp;
    try {
      regex =
        typeof p.pattern === "string"
          ? new RegExp(p.pattern, "u")
          : new RegExp(p.pattern.source, p.pattern.flags.replace(/[gy]/g, ""));
    } catch (cause) {
      throw new ScanError("CYXW_SCAN_PATTERN", `${where}: not a valid regular expression: ${String(cause)}`, {
        cause,
      });
    }
    if (regex.test("")) throw new ScanError("CYXW_SCAN_PATTERN", `${where}: the pattern matches an empty value`);
    return { name: p.name, regex, classification };
  });
}
