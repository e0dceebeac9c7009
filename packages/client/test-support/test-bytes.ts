/** Deterministic bytes: compressible runs mixed with pseudo-random bytes (as the protocol's tests use). */
export function testBytes(length: number, seed = 1): Uint8Array {
  const out = new Uint8Array(length);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = (i >> 9) % 3 === 0 ? 0 : x & 0xff;
  }
  return out;
}
