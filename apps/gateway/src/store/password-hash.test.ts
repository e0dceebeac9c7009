import { describe, expect, it } from "vitest";
import { hashPassword, verifyPassword } from "./password-hash.js";

const b64 = (hex: string) => Buffer.from(hex, "hex").toString("base64").replace(/=+$/, "");

describe("password hashing", () => {
  it("hashes with scrypt at OWASP's cost by default and verifies only the right password", async () => {
    const stored = await hashPassword("correct horse battery staple");
    expect(stored).toMatch(/^\$scrypt\$ln=17,r=8,p=1\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$/);
    expect(await verifyPassword("correct horse battery staple", stored)).toBe(true);
    expect(await verifyPassword("correct horse battery stapler", stored)).toBe(false);
  });

  it("salts every hash, so equal passwords get different hashes", async () => {
    const [a, b] = await Promise.all([hashPassword("same", { logN: 10 }), hashPassword("same", { logN: 10 })]);
    expect(a).toMatch(/^\$scrypt\$ln=10,r=8,p=1\$/);
    expect(a).not.toBe(b);
    expect(await verifyPassword("same", a)).toBe(true);
    expect(await verifyPassword("same", b)).toBe(true);
  });

  it("reads standard scrypt: RFC 7914 §12's second test vector verifies", async () => {
    // P = "password", S = "NaCl", N = 1024, r = 8, p = 16, dkLen = 64.
    const dk =
      "fdbabe1c9d3472007856e7190d01e9fe7c6ad7cbc8237830e77376634b3731622eaf30d92e22a3886ff109279d9830dac727afb94a83ee6d8360cbdfa2cc0640";
    const stored = `$scrypt$ln=10,r=8,p=16$${b64(Buffer.from("NaCl").toString("hex"))}$${b64(dk)}`;
    expect(await verifyPassword("password", stored)).toBe(true);
    expect(await verifyPassword("Password", stored)).toBe(false);
  });

  it("normalises to NFKC, so one passphrase typed two ways verifies", async () => {
    const stored = await hashPassword("Ｃａｆｅ\u0301", { logN: 10 }); // fullwidth letters, combining accent
    expect(await verifyPassword("Café", stored)).toBe(true);
  });

  it("refuses empty and oversized passwords and bad costs when hashing; treats them as wrong when verifying", async () => {
    await expect(hashPassword("")).rejects.toThrow(RangeError);
    await expect(hashPassword("x".repeat(1025))).rejects.toThrow(RangeError);
    await expect(hashPassword(42 as never)).rejects.toThrow(TypeError);
    await expect(hashPassword("pw", { logN: 9 })).rejects.toThrow(RangeError);
    await expect(hashPassword("pw", { logN: 21 })).rejects.toThrow(RangeError);
    const stored = await hashPassword("pw", { logN: 10 });
    expect(await verifyPassword("", stored)).toBe(false);
    expect(await verifyPassword("x".repeat(1025), stored)).toBe(false);
  });

  it("throws on a stored value that is not its hash, and on costs a crafted hash could use to exhaust memory", async () => {
    const stored = await hashPassword("pw", { logN: 10 });
    for (const bad of [
      "",
      "plaintext",
      "$2b$10$abcdefghijklmnopqrstuv",
      stored.slice(0, -5),
      stored.replace("ln=10", "ln=30"),
    ]) {
      await expect(verifyPassword("pw", bad), bad).rejects.toThrow(TypeError);
    }
    await expect(verifyPassword("pw", stored.replace("p=1", "p=99"))).rejects.toThrow(/out-of-bounds/);
  });
});
