import { StoreError, sqlStateOf } from "./store-error.js";

// Reading rows and mapping errors the same way for both drivers, which differ in how int8, bytea
// and timestamptz arrive (see sql-driver.ts).

/** The largest value of a PostgreSQL integer column. */
export const maxInt32 = 2 ** 31 - 1;

/** A row as a driver returns it. */
export type Row = Record<string, unknown>;

/** An int4, an int8 (a string from node-postgres) or a count, as a number. */
export function num(value: unknown): number {
  return typeof value === "number" ? value : Number(value);
}

/** A bytea value as a plain Uint8Array. */
export function bytes(value: unknown): Uint8Array {
  if (!(value instanceof Uint8Array)) throw new TypeError(`metadata store: expected bytea, got ${typeof value}`);
  // A node-postgres Buffer is a Uint8Array subclass; hand out plain Uint8Array views.
  return value.constructor === Uint8Array ? value : new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
}

/** A nullable bytea value. */
export function optionalBytes(value: unknown): Uint8Array | undefined {
  return value === null || value === undefined ? undefined : bytes(value);
}

/** A timestamptz value as a Date. */
export function date(value: unknown): Date {
  return value instanceof Date ? value : new Date(String(value));
}

/** Byte-wise equality (for digests and roots, which are not secret). */
export function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/** The `not_found` StoreError. */
export function notFound(message: string): StoreError {
  return new StoreError("not_found", message);
}

/** Turns the database's verdicts on a single write into the store's typed errors. */
export function mapWriteError(e: unknown, messages: { unique?: string; foreignKey?: string }): unknown {
  const state = sqlStateOf(e);
  if (state === "23505" && messages.unique !== undefined) {
    return new StoreError("already_exists", messages.unique, { cause: e });
  }
  if (state === "23503" && messages.foreignKey !== undefined) return notFound(messages.foreignKey);
  return e;
}
