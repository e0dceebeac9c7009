/** The scan's stable error codes (docs/personal-data.md lists each). */
export const SCAN_ERROR_CODES = {
  CYXW_SCAN_PATTERN: "A custom pattern is not a valid regular expression, or matches the empty string.",
  CYXW_SCAN_OPTIONS:
    "A custom pattern's name is empty, malformed, a built-in type or given twice; an unknown type or classification.",
} as const;

/** One of the scan's stable error codes. */
export type ScanErrorCode = keyof typeof SCAN_ERROR_CODES;

/** Bad scan options. Detect it with {@link isScanError} (by name, STYLE §10). */
export class ScanError extends Error {
  override readonly name = "ScanError";
  constructor(
    readonly code: ScanErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** Whether `e` is a {@link ScanError}, judged by name and code rather than `instanceof`. */
export function isScanError(e: unknown): e is ScanError {
  return (
    typeof e === "object" &&
    e !== null &&
    (e as { name?: unknown }).name === "ScanError" &&
    typeof (e as { code?: unknown }).code === "string" &&
    Object.hasOwn(SCAN_ERROR_CODES, (e as { code: string }).code)
  );
}
