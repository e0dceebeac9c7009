import { randomBytes } from "@noble/hashes/utils.js";

/**
 * Uniform numbers in [0, 1) with 53 random bits each, from `globalThis.crypto` (through
 * @noble/hashes, which fails loudly where there is none, STYLE §11).
 */
export function cryptoRandom(): number {
  const bytes = randomBytes(8);
  // 53 bits: the low 5 bits of the first byte, then six whole bytes.
  let value = bytes[0]! & 0x1f;
  for (let i = 1; i < 7; i++) value = value * 256 + bytes[i]!;
  return value / 2 ** 53;
}
