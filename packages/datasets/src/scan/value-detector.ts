import type { ClassificationName } from "@cyxwiz/protocol/vocab";
import { columnNameTokens } from "./column-name-tokens.js";
import { type CompiledPattern, type CustomPattern, compileCustomPatterns } from "./custom-pattern.js";
import {
  BUILT_IN_FINDING_TYPES,
  type BuiltInFindingType,
  detectorFor,
  isBuiltInFindingType,
} from "./detector-registry.js";
import { ScanError } from "./scan-error.js";

/** A finding type: a built-in one or a custom pattern's name. */
export type FindingType = BuiltInFindingType | (string & {});

/** What to look for. */
export interface ScanOptions {
  /** The built-in types to run; all of them unless given. */
  readonly types?: readonly BuiltInFindingType[];
  /** Patterns of the owner's own, each reported under its name. */
  readonly custom?: readonly CustomPattern[];
}

/** The finding types of one value, given its column's name; see {@link createValueDetector}. */
export interface ValueDetector {
  /** Every finding type, built-ins first then custom, in report order. */
  readonly types: readonly FindingType[];
  /** The classification each finding type suggests. */
  classificationOf(type: FindingType): ClassificationName;
  /** The types whose detectors a column of this name tips over for borderline values. */
  hintsFor(columnName: string): ReadonlySet<BuiltInFindingType>;
  /** The finding types in `text`, in report order; `hints` from {@link hintsFor}. */
  detect(text: string, hints: ReadonlySet<BuiltInFindingType>): FindingType[];
}

/**
 * Checks the options once and returns the detector the scan runs on every value: each built-in
 * detector counts a `match`, and a `borderline` value only where the column's name points at
 * its type (docs/personal-data.md); a custom pattern counts wherever it matches.
 *
 * @throws ScanError `CYXW_SCAN_OPTIONS` for an unknown type or bad custom pattern name;
 *   `CYXW_SCAN_PATTERN` for a custom pattern that does not compile.
 * @example
 * const detector = createValueDetector();
 * detector.detect("call 415-555-0132", detector.hintsFor("notes")); // ["phone"]
 */
export function createValueDetector(options: ScanOptions = {}): ValueDetector {
  const builtIns = options.types ?? BUILT_IN_FINDING_TYPES;
  for (const type of builtIns) {
    if (!isBuiltInFindingType(type)) {
      throw new ScanError(
        "CYXW_SCAN_OPTIONS",
        `unknown finding type "${String(type)}" (known: ${BUILT_IN_FINDING_TYPES.join(", ")})`,
      );
    }
  }
  const selected = BUILT_IN_FINDING_TYPES.filter((t) => builtIns.includes(t));
  const custom: CompiledPattern[] = compileCustomPatterns(options.custom ?? []);
  const customClassification = new Map(custom.map((c) => [c.name, c.classification]));
  return {
    types: [...selected, ...custom.map((c) => c.name)],
    classificationOf(type) {
      if (isBuiltInFindingType(type)) return detectorFor(type).classification;
      const classification = customClassification.get(type);
      if (classification === undefined) throw new RangeError(`classificationOf: unknown finding type "${type}"`);
      return classification;
    },
    hintsFor(columnName) {
      const tokens = columnNameTokens(columnName);
      return new Set(selected.filter((t) => detectorFor(t).hintedBy(tokens)));
    },
    detect(text, hints) {
      const found: FindingType[] = [];
      for (const type of selected) {
        const verdict = detectorFor(type).detect(text);
        if (verdict === "match" || (verdict === "borderline" && hints.has(type))) found.push(type);
      }
      for (const c of custom) if (c.regex.test(text)) found.push(c.name);
      return found;
    },
  };
}
