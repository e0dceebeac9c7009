/**
 * How every CyxWiz surface writes and reads byte counts: the dashboard, the CLI and the gateway's
 * messages. Sizes and rates are decimal (1 MB = 10^6 bytes), as network rates are quoted, so a
 * size in "MB" and a rate in "MB/s" agree everywhere. Binary sizes are still accepted as input
 * ("4MiB"), since chunk sizes are powers of two.
 */

const UNITS = ["B", "kB", "MB", "GB", "TB", "PB"] as const;

/**
 * "0 B", "512 B", "1.50 kB", "20.0 MB", "1.07 GB": three significant figures from kB up.
 *
 * @throws RangeError for a negative or non-finite byte count.
 */
export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes) || bytes < 0)
    throw new RangeError(`byte count must be a finite number >= 0, got ${bytes}`);
  if (bytes < 1000) return `${Math.round(bytes)} B`;
  let value = bytes;
  let unit = 0;
  while (value >= 999.5 && unit < UNITS.length - 1) {
    value /= 1000;
    unit++;
  }
  const digits = value >= 100 ? 0 : value >= 10 ? 1 : 2;
  return `${value.toFixed(digits)} ${UNITS[unit]}`;
}

/** "45.3 MB/s"; "–" while there is no rate yet (0 or not finite). */
export function formatRate(bytesPerSecond: number): string {
  if (!Number.isFinite(bytesPerSecond) || bytesPerSecond <= 0) return "–";
  return `${formatBytes(bytesPerSecond)}/s`;
}

const FACTORS: Record<string, number> = {
  "": 1,
  b: 1,
  kb: 1000,
  mb: 1000 ** 2,
  gb: 1000 ** 3,
  tb: 1000 ** 4,
  k: 1024,
  kib: 1024,
  m: 1024 ** 2,
  mib: 1024 ** 2,
  g: 1024 ** 3,
  gib: 1024 ** 3,
  t: 1024 ** 4,
  tib: 1024 ** 4,
};

/**
 * Parses a size a person typed: "4194304", "4MiB" / "4m" (binary), "4MB" (decimal), "1.5GB",
 * case-insensitive. Undefined for anything else, or a result that is not a whole number of bytes.
 */
export function parseByteSize(text: string): number | undefined {
  const m = /^(\d+(?:\.\d+)?)\s*([a-z]*)$/i.exec(text.trim());
  if (m === null) return undefined;
  const factor = FACTORS[m[2]!.toLowerCase()];
  if (factor === undefined) return undefined;
  const bytes = Number(m[1]) * factor;
  return Number.isSafeInteger(bytes) ? bytes : undefined;
}
