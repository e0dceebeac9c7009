import { randomBytes } from "node:crypto";
import { readFile, writeFile } from "node:fs/promises";
import { badInput } from "./exit-codes.js";

/**
 * A dataset key file holds the 32-byte dataset key as 64 hexadecimal characters and a newline,
 * mode 0600. It is the owner's recovery key: whoever holds it can read the dataset.
 */
export async function readKeyFile(path: string): Promise<Uint8Array> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (e) {
    throw badInput(`cannot read key file ${path}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
  }
  return parseKeyText(text, path);
}

export function parseKeyText(text: string, path: string): Uint8Array {
  const hex = text.trim();
  if (!/^[0-9a-fA-F]{64}$/.test(hex)) {
    throw badInput(`key file ${path} must hold a 32-byte dataset key as 64 hex characters`);
  }
  return new Uint8Array(Buffer.from(hex, "hex"));
}

/** Reads the key file if it exists, or creates it with a fresh random key (mode 0600). */
export async function readOrCreateKeyFile(path: string): Promise<{ key: Uint8Array; created: boolean }> {
  const key = randomBytes(32);
  try {
    await writeFile(path, `${key.toString("hex")}\n`, { mode: 0o600, flag: "wx" });
    return { key: new Uint8Array(key), created: true };
  } catch (e) {
    key.fill(0);
    if ((e as NodeJS.ErrnoException).code !== "EEXIST") {
      throw badInput(`cannot create key file ${path}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
    }
  }
  return { key: await readKeyFile(path), created: false };
}
