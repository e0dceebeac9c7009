import { describe, expect, it } from "vitest";
import { codePointLabel, datasetNameProblem, normalizeDatasetName, refusedCharacterIn } from "./index.js";

describe("dataset names", () => {
  it("accepts ordinary names in any script", () => {
    for (const name of [
      "t10k-labels-idx1-ubyte.gz",
      "Images 2026 (v2).tar",
      "données-été",
      "東京データ",
      "עברית.csv", // right-to-left letters are fine: only the controls that reorder text are refused
      "50% sample",
      "a%2",
      "x".repeat(128),
    ]) {
      expect(datasetNameProblem(name), name).toBeUndefined();
    }
  });

  it("refuses names that pass for others, naming the character", () => {
    const cases: Array<[string, RegExp]> = [
      ["census\u202Etxt.exe", /^must not contain U\+202E RIGHT-TO-LEFT OVERRIDE \(a bidirectional control/],
      ["a\u202Ab", /U\+202A LEFT-TO-RIGHT EMBEDDING/],
      ["a\u2066b\u2069", /U\+2066 LEFT-TO-RIGHT ISOLATE/],
      ["a\u2069", /U\+2069 POP DIRECTIONAL ISOLATE/],
      ["a\u200Eb", /U\+200E LEFT-TO-RIGHT MARK/],
      ["a\u200Fb", /U\+200F RIGHT-TO-LEFT MARK/],
      ["a\u061Cb", /U\+061C ARABIC LETTER MARK/],
      ["ad\u200Dmin", /U\+200D ZERO WIDTH JOINER \(an invisible character/],
      ["a\u200Bb", /U\+200B ZERO WIDTH SPACE/],
      ["a\u200Cb", /U\+200C ZERO WIDTH NON-JOINER/],
      ["a\u2060b", /U\+2060 WORD JOINER/],
      ["\uFEFFa", /U\+FEFF ZERO WIDTH NO-BREAK SPACE/],
      ["a\u180Eb", /U\+180E MONGOLIAN VOWEL SEPARATOR/],
      ["a\u{E0041}b", /U\+E0041 \(an invisible character/], // a TAG character: any other format character
      ["etc\uFF0Fpasswd", /U\+FF0F FULLWIDTH SOLIDUS \(it looks like a path separator\)/],
      ["a\u2215b", /U\+2215 DIVISION SLASH/],
      ["1\u20442", /U\+2044 FRACTION SLASH/],
      ["a\u29F8b", /U\+29F8 BIG SOLIDUS/],
      ["a\u2571b", /U\+2571 BOX DRAWINGS LIGHT DIAGONAL UPPER RIGHT TO LOWER LEFT/],
      ["a\uFF3Cb", /U\+FF3C FULLWIDTH REVERSE SOLIDUS/],
      ["a\u2216b", /U\+2216 SET MINUS/],
      ["a\u0007b", /U\+0007 \(a control character\)/],
      ["a\u0085b", /U\+0085 \(a control character\)/],
      ["a\u2028b", /U\+2028 LINE SEPARATOR/],
      ["a\uD800b", /U\+D800 \(a lone surrogate\)/],
      ["%2e%2e%2fx", /^must not contain "%2e%2e" \(a percent-encoded path separator or ".."\)/],
      ["a%2Fb", /"%2F" \(a percent-encoded/],
      ["a%5cb", /"%5c"/],
      ["a%252fb", /"%252f"/], // encoded twice
      ["a/b", /"\/" or "\\" \(a path separator\)/],
      ["a\\b", /path separator/],
      ["a@v2", /"@"/],
      [" a", /white space/],
      ["a\u3000", /white space/],
      ["..", /must not be "\." or "\.\."/],
      ["", /must not be empty/],
      ["x".repeat(129), /at most 128 characters, got 129/],
    ];
    for (const [name, expected] of cases) expect(datasetNameProblem(name), JSON.stringify(name)).toMatch(expected);
  });

  it("judges and stores the NFC form: names that differ only in normalization are one name", () => {
    const decomposed = "cafe\u0301";
    expect(normalizeDatasetName(decomposed)).toBe("caf\u00e9");
    expect(normalizeDatasetName("caf\u00e9")).toBe("caf\u00e9");
    // 128 characters once composed, 256 code points as typed
    expect(datasetNameProblem("e\u0301".repeat(128))).toBeUndefined();
    expect(datasetNameProblem("e\u0301".repeat(129))).toMatch(/got 129/);
  });

  it("labels code points the Unicode way", () => {
    expect(codePointLabel(0x7)).toBe("U+0007");
    expect(codePointLabel(0x1f600)).toBe("U+1F600");
    expect(refusedCharacterIn("plain")).toBeUndefined();
  });
});
