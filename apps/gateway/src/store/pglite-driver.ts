import { mkdir } from "node:fs/promises";
import { PGlite, type Results, type Transaction } from "@electric-sql/pglite";
import type { SqlDriver, SqlQueryable, SqlResult } from "./sql-driver.js";

function toResult<R>(result: Results<R>): SqlResult<R> {
  return { rows: result.rows, rowCount: result.rowCount ?? result.affectedRows ?? result.rows.length };
}

/**
 * A bytea parameter for PGlite. PGlite serialises each parameter by the type the server describes
 * for it, and falls back to `String(value)` for types it has no serializer for, such as a domain
 * over bytea (sha256_digest): a plain Uint8Array would arrive as "1,2,3". This view of the same
 * bytes stringifies to bytea's hex input form, which both paths then send.
 */
class ByteaParameter extends Uint8Array {
  override toString(): string {
    return `\\x${Buffer.from(this.buffer, this.byteOffset, this.byteLength).toString("hex")}`;
  }
}

/** bytea (OID 17) through the same hex encoding: PGlite's own builds the string a byte at a time. */
const serializers = { 17: (value: unknown) => String(value) };

function toParameter(value: unknown): unknown {
  return value instanceof Uint8Array
    ? new ByteaParameter(value.buffer as ArrayBuffer, value.byteOffset, value.byteLength)
    : value;
}

function queryable(target: PGlite | Transaction): SqlQueryable {
  return {
    async query<R extends object>(sql: string, params: readonly unknown[] = []) {
      return toResult(await target.query<R>(sql, params.map(toParameter), { serializers }));
    },
    async exec(sql: string) {
      await target.exec(sql);
    },
  };
}

/**
 * Opens embedded PostgreSQL (PGlite, WASM) persisted in `dir`, created on first use: the
 * one-machine default, so `npm start` needs no database server (ARCHITECTURE §5, §8).
 *
 * PGlite is one connection in this process: statements and transactions are serialised, so two
 * transactions never interleave. One directory must be opened by one process at a time.
 */
export async function openPgliteDriver(dir: string): Promise<SqlDriver> {
  await mkdir(dir, { recursive: true });
  const db = await PGlite.create(dir);
  const direct = queryable(db);
  return {
    kind: "pglite",
    query: direct.query,
    exec: direct.exec,
    transaction: (fn) => db.transaction((tx) => fn(queryable(tx))),
    async close() {
      if (!db.closed) await db.close();
    },
  };
}
