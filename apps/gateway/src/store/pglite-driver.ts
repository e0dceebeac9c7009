import { randomUUID } from "node:crypto";
import { cp, mkdir, rename, rm, stat } from "node:fs/promises";
import { join } from "node:path";
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

const isCluster = (dir: string) =>
  stat(join(dir, "PG_VERSION")).then(
    () => true,
    () => false,
  );

/**
 * A new cluster in `dir` copied from `template`, a cluster PGlite created and nothing else touched
 * (made there first, by whichever process gets there first). PGlite's initdb is the same every
 * time and takes seconds (more on a loaded machine); a copy takes a fraction of one. Test runs set
 * CYXWIZ_PGLITE_TEMPLATE, since they open hundreds of fresh stores (docs/testing.md); a directory
 * that already holds a cluster is left as it is.
 */
async function initialiseFromTemplate(dir: string, template: string): Promise<void> {
  if (await isCluster(dir)) return;
  if (!(await isCluster(template))) {
    const staging = `${template}.${process.pid}.${randomUUID()}`;
    await (await PGlite.create(staging)).close();
    // Another process may have made it meanwhile: its copy is as good, this one goes.
    await rename(staging, template).catch(() => rm(staging, { recursive: true, force: true }));
  }
  await cp(template, dir, { recursive: true });
}

/**
 * Opens embedded PostgreSQL (PGlite, WASM) persisted in `dir`, created on first use: the
 * one-machine default, so `npm start` needs no database server (ARCHITECTURE §5, §8).
 *
 * PGlite is one connection in this process: statements and transactions are serialised, so two
 * transactions never interleave. One directory must be opened by one process at a time.
 */
export async function openPgliteDriver(
  dir: string,
  options: { template?: string | undefined } = { template: process.env.CYXWIZ_PGLITE_TEMPLATE },
): Promise<SqlDriver> {
  await mkdir(dir, { recursive: true });
  if (options.template !== undefined && options.template !== "") await initialiseFromTemplate(dir, options.template);
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
