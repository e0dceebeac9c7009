/**
 * What a dataset name may be (docs/upload-protocol.md §6). The gateway refuses the rest when a
 * transfer is initiated; the dashboard asks the same question before uploading, so the owner hears
 * it at once. One module owns the rule, so the two never disagree.
 *
 * Names are compared and stored in Unicode Normalization Form C: "café" typed with a combining
 * accent and with a precomposed "é" is one dataset. Chunks are stored by digest, so no name ever
 * reaches a file system; what is refused here is what would let one name pass for another where
 * people read it (the dashboard, a log, a terminal): characters that reorder or hide text, and
 * characters that look like a path separator.
 */

/** The longest dataset name, in characters (code points of its NFC form). */
export const MAX_DATASET_NAME_LENGTH = 128;

/** Why a character is refused, as the message says it. */
const BIDI = "a bidirectional control: it changes the order in which the name is shown";
const INVISIBLE = "an invisible character: two names would look the same";
const SLASH = "it looks like a path separator";

/** The refused characters a person may meet, by code point, with their Unicode names. */
const namedCharacters: ReadonlyMap<number, readonly [name: string, why: string]> = new Map([
  // Bidirectional marks, embeddings, overrides and isolates (Unicode TR #9; CVE-2021-42574).
  [0x061c, ["ARABIC LETTER MARK", BIDI]],
  [0x200e, ["LEFT-TO-RIGHT MARK", BIDI]],
  [0x200f, ["RIGHT-TO-LEFT MARK", BIDI]],
  [0x202a, ["LEFT-TO-RIGHT EMBEDDING", BIDI]],
  [0x202b, ["RIGHT-TO-LEFT EMBEDDING", BIDI]],
  [0x202c, ["POP DIRECTIONAL FORMATTING", BIDI]],
  [0x202d, ["LEFT-TO-RIGHT OVERRIDE", BIDI]],
  [0x202e, ["RIGHT-TO-LEFT OVERRIDE", BIDI]],
  [0x2066, ["LEFT-TO-RIGHT ISOLATE", BIDI]],
  [0x2067, ["RIGHT-TO-LEFT ISOLATE", BIDI]],
  [0x2068, ["FIRST STRONG ISOLATE", BIDI]],
  [0x2069, ["POP DIRECTIONAL ISOLATE", BIDI]],
  // Zero-width characters.
  [0x180e, ["MONGOLIAN VOWEL SEPARATOR", INVISIBLE]],
  [0x200b, ["ZERO WIDTH SPACE", INVISIBLE]],
  [0x200c, ["ZERO WIDTH NON-JOINER", INVISIBLE]],
  [0x200d, ["ZERO WIDTH JOINER", INVISIBLE]],
  [0x2060, ["WORD JOINER", INVISIBLE]],
  [0xfeff, ["ZERO WIDTH NO-BREAK SPACE", INVISIBLE]],
  [0x00ad, ["SOFT HYPHEN", INVISIBLE]],
  // Look-alikes of "/" and "\" (Unicode TR #39 confusables).
  [0x2044, ["FRACTION SLASH", SLASH]],
  [0x2215, ["DIVISION SLASH", SLASH]],
  [0x2216, ["SET MINUS", SLASH]],
  [0x2571, ["BOX DRAWINGS LIGHT DIAGONAL UPPER RIGHT TO LOWER LEFT", SLASH]],
  [0x2572, ["BOX DRAWINGS LIGHT DIAGONAL UPPER LEFT TO LOWER RIGHT", SLASH]],
  [0x29f8, ["BIG SOLIDUS", SLASH]],
  [0x29f9, ["BIG REVERSE SOLIDUS", SLASH]],
  [0xfe68, ["SMALL REVERSE SOLIDUS", SLASH]],
  [0xff0f, ["FULLWIDTH SOLIDUS", SLASH]],
  [0xff3c, ["FULLWIDTH REVERSE SOLIDUS", SLASH]],
  // Line and paragraph separators break a name over lines, like a control character.
  [0x2028, ["LINE SEPARATOR", "a control character"]],
  [0x2029, ["PARAGRAPH SEPARATOR", "a control character"]],
]);

/** Controls (C0, DEL, C1), format characters (Cf: every other invisible one), lone surrogates. */
const otherRefused = /^(?:(\p{Cc})|(\p{Cf})|(\p{Cs}))$/u;

/**
 * A percent-encoded "/", "\" or "..", also encoded twice ("%252f"): harmless here, but a name that
 * some program decodes on the way must not become a path.
 */
const encodedSeparator = /%(?:25)*(?:2f|5c)|%(?:25)*2e%(?:25)*2e/i;

/** "U+202E" for a code point. */
export function codePointLabel(codePoint: number): string {
  return `U+${codePoint.toString(16).toUpperCase().padStart(4, "0")}`;
}

/**
 * The first refused character of `name`, described for a message ("U+202E RIGHT-TO-LEFT
 * OVERRIDE (a bidirectional control: …)"), or undefined when it has none.
 */
export function refusedCharacterIn(name: string): string | undefined {
  for (const char of name) {
    const codePoint = char.codePointAt(0) ?? 0;
    const named = namedCharacters.get(codePoint);
    if (named !== undefined) return `${codePointLabel(codePoint)} ${named[0]} (${named[1]})`;
    const other = otherRefused.exec(char);
    if (other === null) continue;
    const why =
      other[1] !== undefined ? "a control character" : other[2] !== undefined ? INVISIBLE : "a lone surrogate";
    return `${codePointLabel(codePoint)} (${why})`;
  }
  return undefined;
}

/**
 * The form a name is stored and compared in: its NFC normalization.
 *
 * @example
 * normalizeDatasetName("cafe\u0301") === "caf\u00e9"
 */
export function normalizeDatasetName(name: string): string {
  return name.normalize("NFC");
}

/**
 * Why `name` is not a valid dataset name, as a phrase to follow "name" or "A dataset name"
 * (`must not contain U+202E RIGHT-TO-LEFT OVERRIDE (…)`), or undefined when it is valid. The
 * name is judged in its NFC form, the form it is stored in (see {@link normalizeDatasetName}).
 *
 * A valid name has 1-128 characters; no "/" or "\", nor a character that looks like one, nor a
 * percent-encoded one; no control, bidirectional-control or invisible character; no "@" (it
 * separates the version in "name@v3"); no white space at either end; and is not "." or "..".
 *
 * @example
 * datasetNameProblem("census\u202Etxt.exe") // 'must not contain U+202E RIGHT-TO-LEFT OVERRIDE (…)'
 * datasetNameProblem("census 2026.csv") // undefined
 */
export function datasetNameProblem(name: string): string | undefined {
  const nfc = normalizeDatasetName(name);
  if (nfc.length === 0) return "must not be empty";
  const length = [...nfc].length;
  if (length > MAX_DATASET_NAME_LENGTH) return `must be at most ${MAX_DATASET_NAME_LENGTH} characters, got ${length}`;
  if (/[/\\]/.test(nfc)) return 'must not contain "/" or "\\" (a path separator)';
  const refused = refusedCharacterIn(nfc);
  if (refused !== undefined) return `must not contain ${refused}`;
  const encoded = encodedSeparator.exec(nfc);
  if (encoded !== null)
    return `must not contain ${JSON.stringify(encoded[0])} (a percent-encoded path separator or "..")`;
  if (nfc.includes("@")) return 'must not contain "@" (it separates the version, as in name@v2)';
  if (nfc.trim() !== nfc) return "must not start or end with white space";
  if (nfc === "." || nfc === "..") return 'must not be "." or ".."';
  return undefined;
}
