/**
 * The stable error codes of `@cyxwiz/training` (STYLE §8); docs/training.md lists each one.
 */
export const TRAINING_ERROR_CODES = {
  CYXW_ERR_TR_BAD_SPEC: "A model spec field is missing or out of range; the message names the layer index and field.",
  CYXW_ERR_TR_UNKNOWN_PRESET: "A preset name that is not in the registry.",
  CYXW_ERR_TR_BAD_COLUMN: "A feature or label column the batcher cannot use (missing, wrong type, unknown label).",
  CYXW_ERR_TR_BAD_OPTION:
    "An option out of range (batch size, epochs, trim fraction, Krum's f, a row outside its chunk).",
  CYXW_ERR_TR_LAYOUT_MISMATCH: "Flat weights or an update whose length or layout does not match the model.",
  CYXW_ERR_TR_BAD_ENCODING: "Encoded update bytes that cannot be decoded.",
} as const;

export type TrainingErrorCode = keyof typeof TRAINING_ERROR_CODES;

/** The one error class of `@cyxwiz/training`: a stable `code` and a message that names the place. */
export class TrainingError extends Error {
  override readonly name = "TrainingError";
  readonly code: TrainingErrorCode;

  constructor(code: TrainingErrorCode, detail: string) {
    super(`${code}: ${detail}`);
    this.code = code;
  }
}

/** True when `e` is a TrainingError (by name, STYLE §10). */
export function isTrainingError(e: unknown): e is TrainingError {
  return e instanceof Error && e.name === "TrainingError";
}
