import type { ClassificationName } from "@cyxwiz/protocol/vocab";

/**
 * How sure a detector is about one piece of text (docs/personal-data.md):
 * - `match`: a value in a form people write this kind of data in (`415-555-0132`,
 *   `4111 1111 1111 1111`, `123-45-6789`), that passed the detector's validators;
 * - `borderline`: a bare run of digits that passed the validators but could as well be an
 *   identifier (`4155550132`); it counts only in a column whose name points at the type.
 */
export type Verdict = "match" | "borderline";

/** One built-in detector: finds a kind of personal data in text and checks what it finds. */
export interface Detector {
  /** The classification a dataset holding this kind of data is suggested (docs/personal-data.md). */
  readonly classification: ClassificationName;
  /** Whether a column's name (as lower-case tokens, see columnNameTokens) points at this type. */
  hintedBy(tokens: readonly string[]): boolean;
  /** The strongest verdict over every candidate in `text`, or undefined when none validates. */
  detect(text: string): Verdict | undefined;
}

/**
 * The strongest verdict of `verdictOf` over every match of the global `pattern` in `text`;
 * stops at the first `match`.
 */
export function strongestVerdict(
  text: string,
  pattern: RegExp,
  verdictOf: (candidate: RegExpExecArray) => Verdict | undefined,
): Verdict | undefined {
  let best: Verdict | undefined;
  for (const candidate of text.matchAll(pattern)) {
    const verdict = verdictOf(candidate);
    if (verdict === "match") return verdict;
    best ??= verdict;
  }
  return best;
}
