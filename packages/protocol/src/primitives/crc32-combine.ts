/**
 * CRC-32 (IEEE 802.3, reflected polynomial 0xEDB88320) of a concatenation from the CRCs of its
 * parts: `crc32(a ‖ b) = crc32Combine(crc32(a), crc32(b), b.length)`. This is zlib's
 * `crc32_combine` (crc32.c since zlib 1.2.12: multiplication modulo the CRC polynomial, with
 * x^(2^k) mod p tabulated), in O(log length) steps. It lets a sealing worker compute the CRC of
 * the bytes it sealed while the calling thread adds the 24-byte frame header in front.
 */

const POLY = 0xedb88320;

/** a(x) * b(x) modulo p(x), in the reflected bit order CRC-32 uses. */
function multiplyModP(a: number, b: number): number {
  let m = 0x8000_0000;
  let p = 0;
  for (;;) {
    if ((a & m) !== 0) {
      p ^= b;
      if ((a & (m - 1)) === 0) break;
    }
    m >>>= 1;
    b = b & 1 ? (b >>> 1) ^ POLY : b >>> 1;
  }
  return p >>> 0;
}

/** X2N[k] = x^(2^k) modulo p(x). */
const X2N: readonly number[] = (() => {
  const table = [0x4000_0000]; // x^1
  for (let k = 1; k < 32; k++) table.push(multiplyModP(table[k - 1]!, table[k - 1]!));
  return table;
})();

/** x^(n * 2^k) modulo p(x). */
function xPow2nModP(n: number, k: number): number {
  let p = 0x8000_0000; // x^0
  while (n > 0) {
    if (n % 2 === 1) p = multiplyModP(X2N[k & 31]!, p);
    n = Math.floor(n / 2);
    k++;
  }
  return p;
}

/**
 * The CRC-32 of `a ‖ b` given `crcA` = CRC-32 of a, `crcB` = CRC-32 of b and b's length in bytes.
 *
 * @throws RangeError for a length that is not a non-negative safe integer.
 */
export function crc32Combine(crcA: number, crcB: number, lengthB: number): number {
  if (!Number.isSafeInteger(lengthB) || lengthB < 0) {
    throw new RangeError(`length must be a non-negative safe integer, got ${lengthB}`);
  }
  return (multiplyModP(xPow2nModP(lengthB, 3), crcA >>> 0) ^ crcB) >>> 0;
}
