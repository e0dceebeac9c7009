/** The anonymizers' stable error codes (docs/personal-data.md lists each). */
export const ANONYMIZE_ERROR_CODES = {
  CYXW_ANON_UNKNOWN_COLUMN: "A plan step names a column the table does not have.",
  CYXW_ANON_UNKNOWN_OPERATOR: "A plan step names an operator that does not exist.",
  CYXW_ANON_PARAMS: "A plan step's parameters are missing, of the wrong type or out of range.",
  CYXW_ANON_VALUE: "A value cannot be transformed by the step's operator (text where a number or date is needed).",
  CYXW_ANON_KEY: "The hash operator needs the owner's key (at least 16 bytes), and none or a shorter one was given.",
} as const;

/** One of the anonymizers' stable error codes. */
export type AnonymizeErrorCode = keyof typeof ANONYMIZE_ERROR_CODES;

/** A plan that cannot be applied. Detect it with {@link isAnonymizeError} (by name, STYLE §10). */
export class AnonymizeError extends Error {
  override readonly name = "AnonymizeError";
  constructor(
    readonly code: AnonymizeErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/** Whether `e` is an {@link AnonymizeError}, judged by name and code rather than `instanceof`. */
export function isAnonymizeError(e: unknown): e is AnonymizeError {
  return (
    typeof e === "object" &&
    e !== null &&
    (e as { name?: unknown }).name === "AnonymizeError" &&
    typeof (e as { code?: unknown }).code === "string" &&
    Object.hasOwn(ANONYMIZE_ERROR_CODES, (e as { code: string }).code)
  );
}
