import { describe, expect, it } from "vitest";
import { parseRecoveryKey, recoveryKeyFileName, recoveryKeyText } from "./recovery-key.js";

describe("recoveryKeyText", () => {
  it("writes 64 lowercase hex characters and a newline, as cyxwiz --key-file reads", () => {
    const key = Uint8Array.from({ length: 32 }, (_, i) => i * 8 + 1);
    const text = recoveryKeyText(key);
    expect(text).toMatch(/^[0-9a-f]{64}\n$/);
    expect(text.slice(0, 8)).toBe("01091119");
    expect(text.slice(62, 64)).toBe("f9");
  });

  it("refuses a key that is not 32 bytes", () => {
    expect(() => recoveryKeyText(new Uint8Array(16))).toThrow(RangeError);
  });
});

describe("recoveryKeyFileName", () => {
  it("names the file after the dataset", () => {
    expect(recoveryKeyFileName("t10k-labels-idx1-ubyte.gz")).toBe("t10k-labels-idx1-ubyte.gz.key");
  });

  it("replaces characters a file system may refuse, and never starts with a dot", () => {
    expect(recoveryKeyFileName('a:b*c?"d')).toBe("a_b_c_d.key");
    expect(recoveryKeyFileName(".hidden")).toBe("_hidden.key");
  });
});

describe("parseRecoveryKey", () => {
  it("reads back what recoveryKeyText wrote, in either case, ignoring surrounding white space", () => {
    const key = Uint8Array.from({ length: 32 }, (_, i) => 255 - i * 3);
    const text = recoveryKeyText(key);
    expect(parseRecoveryKey(text)).toEqual({ ok: true, datasetKey: key });
    expect(parseRecoveryKey(`  ${text.toUpperCase()}\r\n`)).toEqual({ ok: true, datasetKey: key });
  });

  it("names the first character that is not hexadecimal", () => {
    const r = parseRecoveryKey(`${"a".repeat(10)}g${"a".repeat(53)}`);
    expect(r).toEqual({ ok: false, message: expect.stringContaining('character 11 is "g"') });
  });

  it("says how many characters a key of the wrong length has, and asks for one when empty", () => {
    expect(parseRecoveryKey("ab".repeat(16))).toEqual({
      ok: false,
      message: expect.stringContaining("this one has 32"),
    });
    expect(parseRecoveryKey(" \n")).toEqual({ ok: false, message: expect.stringContaining("Paste the recovery key") });
  });
});
