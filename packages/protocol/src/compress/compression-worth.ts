/**
 * The least ratio (plain bytes / compressed bytes) for which compressing a dataset pays: below it,
 * the CPU spent on both ends buys too little bandwidth, and incompressible data (already
 * compressed images, encrypted or random bytes) only gets a few bytes longer.
 */
export const MIN_COMPRESSION_RATIO = 1.1;

/**
 * Whether a dataset should be compressed, judged on its first chunk: compress that chunk, then
 * call this with both sizes. A dataset whose first chunk shrinks less than
 * {@link MIN_COMPRESSION_RATIO}x is stored and sent with codec NONE (seed §5.2's
 * `enable_compression`, decided per dataset rather than per chunk, so every chunk of a dataset
 * uses the one codec its manifest names).
 *
 * @throws RangeError when either size is not a non-negative integer.
 * @example worthCompressing(chunk.length, codec.compress(chunk).length)
 */
export function worthCompressing(plainSize: number, compressedSize: number): boolean {
  for (const [label, n] of [
    ["plainSize", plainSize],
    ["compressedSize", compressedSize],
  ] as const) {
    if (!Number.isSafeInteger(n) || n < 0) throw new RangeError(`${label} must be a non-negative integer, got ${n}`);
  }
  if (plainSize === 0) return false; // nothing to gain
  // Division, not multiplication: 110 / 100 rounds to exactly the double 1.1; 100 * 1.1 does not.
  return plainSize / compressedSize >= MIN_COMPRESSION_RATIO;
}
