import { hmac } from "@noble/hashes/hmac.js";
import { sha256 } from "@noble/hashes/sha2.js";
import { bytesToHex, utf8ToBytes } from "@noble/hashes/utils.js";
import { Utf8 } from "apache-arrow";
import { AnonymizeError } from "./anonymize-error.js";
import type { ColumnOperator } from "./operator.js";
import { paramsObject } from "./operator.js";
import { integerParam } from "./params-error.js";

/** `hash` parameters. */
export interface HashParams {
  /** Hex characters of the HMAC kept, 16 to 64 (64 unless given). Shorter pseudonyms collide sooner. */
  readonly length?: number;
}

/** The shortest owner key `hash` accepts, in bytes. */
export const MIN_OWNER_KEY_BYTES = 16;

/**
 * The pseudonym of a value: HMAC-SHA256 under the owner's key of the value's text (UTF-8), in
 * lower-case hex. The same value gives the same pseudonym in every file of one owner (joins
 * still work: the number 42 and the text "42" agree), and nobody without the key can test a guess.
 */
export function pseudonym(ownerKey: Uint8Array, text: string, length = 64): string {
  return createPseudonymizer(ownerKey, length)(text);
}

/**
 * {@link pseudonym} for many values under one key: the keyed HMAC state is computed once and
 * cloned per value, and a value seen before is not hashed again.
 */
export function createPseudonymizer(ownerKey: Uint8Array, length = 64): (text: string) => string {
  const keyed = hmac.create(sha256, ownerKey);
  const seen = new Map<string, string>();
  return (text) => {
    let out = seen.get(text);
    if (out === undefined) {
      out = bytesToHex(keyed.clone().update(utf8ToBytes(text)).digest()).slice(0, length);
      seen.set(text, out);
    }
    return out;
  };
}

/** `hash`: keyed pseudonyms (HMAC-SHA256 with the owner's key). Any column; the result is text. */
export const hashOperator: ColumnOperator<Required<HashParams>> = {
  checkParams(params, where) {
    return { length: integerParam(paramsObject(params, where), "length", where, { min: 16, max: 64, fallback: 64 }) };
  },
  apply(column, { length }, { ownerKey, where }) {
    if (ownerKey === undefined || ownerKey.length < MIN_OWNER_KEY_BYTES) {
      throw new AnonymizeError(
        "CYXW_ANON_KEY",
        `${where}: hash needs an owner key of at least ${MIN_OWNER_KEY_BYTES} bytes`,
      );
    }
    const pseudonymOf = createPseudonymizer(ownerKey, length);
    return {
      values: column.values.map((v) => (v === null ? null : pseudonymOf(String(v)))),
      type: new Utf8(),
    };
  },
};
