import { describe, expect, it } from "vitest";
import { checkDatasetName } from "./input-validation.js";
import { isStoreError } from "./store-error.js";

/** The StoreError a check throws, or undefined when it passes. */
function refusal(check: () => unknown): { code: string; message: string } | undefined {
  try {
    check();
    return undefined;
  } catch (e) {
    expect(isStoreError(e), String(e)).toBe(true);
    return { code: (e as { code: string }).code, message: (e as Error).message };
  }
}

describe("checkDatasetName", () => {
  it("returns the NFC form, so names that differ only in normalization are one name", () => {
    expect(checkDatasetName("cafe\u0301.csv")).toBe("caf\u00e9.csv");
    expect(checkDatasetName("caf\u00e9.csv")).toBe("caf\u00e9.csv");
    expect(checkDatasetName("mnist")).toBe("mnist");
  });

  it("refuses names that look like other names, naming the character, with invalid_argument", () => {
    const cases: Array<[string, string]> = [
      ["census\u202Etxt.exe", "name must not contain U+202E RIGHT-TO-LEFT OVERRIDE"],
      ["ad\u200Dmin-data", "name must not contain U+200D ZERO WIDTH JOINER"],
      ["etc\uFF0Fpasswd", "name must not contain U+FF0F FULLWIDTH SOLIDUS"],
      ["a\u2215b", "name must not contain U+2215 DIVISION SLASH"],
      ["%2e%2e%2fx", 'name must not contain "%2e%2e"'],
      ["a\u2067b", "name must not contain U+2067 RIGHT-TO-LEFT ISOLATE"],
      ["a\u061Cb", "name must not contain U+061C ARABIC LETTER MARK"],
      ["\uFEFFa", "name must not contain U+FEFF ZERO WIDTH NO-BREAK SPACE"],
      ["a\u0001b", "name must not contain U+0001 (a control character)"],
      ["a/b", 'name must not contain "/" or "\\"'],
    ];
    for (const [name, prefix] of cases) {
      const r = refusal(() => checkDatasetName(name));
      expect(r?.code, JSON.stringify(name)).toBe("invalid_argument");
      expect(r?.message.startsWith(prefix), `${JSON.stringify(name)}: ${r?.message}`).toBe(true);
    }
  });

  it("quotes the refused name with its invisible characters escaped, so the message cannot be spoofed", () => {
    const message = refusal(() => checkDatasetName("x\u202Egpj.exe"))?.message ?? "";
    expect(message).toContain('got "x\\u{202e}gpj.exe"');
    expect(message).not.toContain("\u202E");
  });

  it("keeps the older rules: length, @, spaces at the ends, dots, non-strings", () => {
    expect(refusal(() => checkDatasetName("x".repeat(129)))?.message).toMatch(/at most 128 characters, got 129/);
    expect(refusal(() => checkDatasetName("a@v2"))?.message).toMatch(/"@"/);
    expect(refusal(() => checkDatasetName(" a"))?.message).toMatch(/white space/);
    expect(refusal(() => checkDatasetName(".."))?.message).toMatch(/must not be "\." or "\.\."/);
    expect(refusal(() => checkDatasetName(""))?.message).toMatch(/non-empty string/);
    expect(refusal(() => checkDatasetName(7))?.message).toMatch(/non-empty string/);
  });
});
