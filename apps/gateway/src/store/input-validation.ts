import { datasetNameProblem, MAX_DATASET_NAME_LENGTH, normalizeDatasetName } from "@cyxwiz/protocol/names";
import { StoreError } from "./store-error.js";

/**
 * Checks for values that reach the store from clients. Each throws StoreError `invalid_argument`
 * with a message naming the argument, before any statement runs, so bad input changes nothing
 * (ARCHITECTURE §7). The schema repeats the important ones as CHECK constraints.
 */

/** Longest dataset name, in characters (code points). */
export const maxDatasetNameLength = MAX_DATASET_NAME_LENGTH;

const usernamePattern = /^[a-z0-9][a-z0-9._-]{0,63}$/;
const transferIdPattern = /^[A-Za-z0-9_-]{1,128}$/;
// Controls (Cc: C0, DEL, C1), the Unicode line and paragraph separators, lone surrogates (Cs).
const controlPattern = /[\p{Cc}\u2028\u2029]|\p{Cs}/u;

function invalid(message: string): StoreError {
  return new StoreError("invalid_argument", message);
}

/** A value for a message: quoted, shortened, with invisible and reordering characters escaped. */
function show(value: unknown): string {
  const text =
    typeof value === "string"
      ? JSON.stringify(value).replace(
          /[\p{Cf}\u007f-\u009f\u2028\u2029]/gu,
          (c) => `\\u{${(c.codePointAt(0) ?? 0).toString(16)}}`,
        )
      : String(value);
  return text.length > 40 ? `${text.slice(0, 40)}...` : text;
}

/** A username: 1-64 of a-z 0-9 . _ -, starting with a letter or digit (lowercase only: one spelling per person). */
export function checkUsername(value: unknown, label = "username"): string {
  if (typeof value !== "string" || !usernamePattern.test(value)) {
    throw invalid(
      `${label} must be 1-64 characters of a-z 0-9 . _ - starting with a letter or digit, got ${show(value)}`,
    );
  }
  return value;
}

/**
 * A dataset name, returned in the form it is stored and compared in: NFC, so names that differ
 * only in Unicode normalization are one dataset. The rule is @cyxwiz/protocol/names' (shared with
 * the dashboard; docs/upload-protocol.md §6): 1-128 characters; no "/" or "\" (names end up in
 * paths and URLs), nor a look-alike or a percent-encoded one; no control, bidirectional-control or
 * invisible character (they let a name pass for another); no "@" (it separates the version in
 * "name@v3"); no leading or trailing space; not "." or "..". The message names the character.
 */
export function checkDatasetName(value: unknown, label = "name"): string {
  if (typeof value !== "string" || value.length === 0) throw invalid(`${label} must be a non-empty string`);
  const name = normalizeDatasetName(value);
  const problem = datasetNameProblem(name);
  if (problem !== undefined) throw invalid(`${label} ${problem}, got ${show(value)}`);
  return name;
}

/** A transfer id: 1-128 of A-Z a-z 0-9 _ - (UUIDs and base64url ids fit). */
export function checkTransferId(value: unknown, label = "transfer id"): string {
  if (typeof value !== "string" || !transferIdPattern.test(value)) {
    throw invalid(`${label} must be 1-128 characters of A-Z a-z 0-9 _ -, got ${show(value)}`);
  }
  return value;
}

/** An integer in [min, max]. */
export function checkInteger(value: unknown, label: string, min: number, max: number): number {
  if (typeof value !== "number" || !Number.isInteger(value) || value < min || value > max) {
    throw invalid(`${label} must be an integer in [${min}, ${max}], got ${show(value)}`);
  }
  return value;
}

/** Bytes of exactly `length` (a SHA-256 digest or Merkle root is 32). */
export function checkBytes(value: unknown, label: string, length: number): Uint8Array {
  if (!(value instanceof Uint8Array)) throw invalid(`${label} must be a Uint8Array`);
  if (value.length !== length) throw invalid(`${label} must be ${length} bytes, got ${value.length}`);
  return value;
}

/** Bytes of at most `maxLength`. */
export function checkByteString(value: unknown, label: string, maxLength: number): Uint8Array {
  if (!(value instanceof Uint8Array)) throw invalid(`${label} must be a Uint8Array`);
  if (value.length > maxLength) throw invalid(`${label} must be at most ${maxLength} bytes, got ${value.length}`);
  return value;
}

/** One of the given strings. */
export function checkOneOf<T extends string>(value: unknown, label: string, allowed: readonly T[]): T {
  if (typeof value !== "string" || !(allowed as readonly string[]).includes(value)) {
    throw invalid(`${label} must be one of ${allowed.join(", ")}, got ${show(value)}`);
  }
  return value as T;
}

/** A boolean. */
export function checkBoolean(value: unknown, label: string): boolean {
  if (typeof value !== "boolean") throw invalid(`${label} must be a boolean, got ${show(value)}`);
  return value;
}

/** A short label for the audit log: 1..maxLength characters, no control characters. */
export function checkLabel(value: unknown, label: string, maxLength: number): string {
  if (typeof value !== "string" || value.length === 0 || value.length > maxLength) {
    throw invalid(`${label} must be 1-${maxLength} characters, got ${show(value)}`);
  }
  if (controlPattern.test(value)) throw invalid(`${label} must not contain control characters, got ${show(value)}`);
  return value;
}
