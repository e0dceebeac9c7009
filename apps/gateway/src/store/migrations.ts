import { createHash } from "node:crypto";
import { readdir, readFile } from "node:fs/promises";
import type { SqlDriver } from "./sql-driver.js";
import { StoreError } from "./store-error.js";
import { type StoreLogger, silentLogger } from "./store-logger.js";

/** One schema migration: `migrations/0001_init.sql` is version 1, named "init". */
export interface Migration {
  readonly version: number;
  readonly name: string;
  readonly sql: string;
  /** SHA-256 of the file (line endings normalised), recorded when applied. */
  readonly checksum: Uint8Array;
}

/** What {@link applyMigrations} did. */
export interface MigrationReport {
  /** Versions this call applied, in order (empty when the schema was already current). */
  readonly applied: number[];
  /** The newest version in the database afterwards. */
  readonly current: number;
}

const migrationsDir = new URL("./migrations/", import.meta.url);
const fileNamePattern = /^(\d{4})_([a-z0-9_]+)\.sql$/;

/**
 * Key of the PostgreSQL advisory lock that serialises migrations across gateway replicas
 * (ARCHITECTURE §8): "CYXW" followed by 1.
 */
const migrationLockKey = "4852021418329669633";

/**
 * Reads the numbered migrations shipped beside this module, in order.
 *
 * @throws Error when the files are not numbered 1, 2, 3, ... without gaps or duplicates: a
 *   packaging mistake that must stop the gateway before it touches the database.
 */
export async function loadMigrations(): Promise<Migration[]> {
  const files = (await readdir(migrationsDir)).filter((f) => f.endsWith(".sql")).sort();
  const migrations: Migration[] = [];
  for (const file of files) {
    const match = fileNamePattern.exec(file);
    if (match === null) throw new Error(`migration file ${file}: expected a name like 0001_init.sql`);
    const version = Number(match[1]);
    if (version !== migrations.length + 1) {
      throw new Error(`migration file ${file}: expected version ${migrations.length + 1} (no gaps, no duplicates)`);
    }
    const sql = (await readFile(new URL(file, migrationsDir), "utf8")).replace(/\r\n/g, "\n");
    const checksum = new Uint8Array(createHash("sha256").update(sql).digest());
    migrations.push({ version, name: match[2] ?? "", sql, checksum });
  }
  return migrations;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/**
 * Brings the database schema up to date: applies, in order and in one transaction, every
 * migration not yet recorded in `schema_migrations`. The transaction first takes a PostgreSQL
 * advisory lock, so replicas starting together wait for each other and each migration runs once
 * (ARCHITECTURE §8); either every pending migration is applied or none is.
 *
 * A database with migrations newer than this code (a rolling upgrade, where newer replicas went
 * first) is accepted with a warning: migrations only ever add to the schema.
 *
 * @throws StoreError `migration_mismatch` when an applied migration differs from its file.
 */
export async function applyMigrations(driver: SqlDriver, logger: StoreLogger = silentLogger): Promise<MigrationReport> {
  const migrations = await loadMigrations();
  return driver.transaction(async (tx) => {
    await tx.query(`SELECT pg_advisory_xact_lock(${migrationLockKey})`);
    await tx.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
      version    integer PRIMARY KEY,
      name       text NOT NULL,
      checksum   bytea NOT NULL,
      applied_at timestamptz NOT NULL DEFAULT now()
    )`);
    const { rows } = await tx.query<{ version: number; checksum: Uint8Array }>(
      "SELECT version, checksum FROM schema_migrations ORDER BY version",
    );
    const recorded = new Map(rows.map((r) => [r.version, new Uint8Array(r.checksum)]));
    for (const m of migrations) {
      const checksum = recorded.get(m.version);
      if (checksum !== undefined && !sameBytes(checksum, m.checksum)) {
        throw new StoreError(
          "migration_mismatch",
          `migration ${m.version} (${m.name}) was applied from a different file than the one shipped; restore the original file and add a new migration instead`,
        );
      }
    }
    const newest = Math.max(0, ...recorded.keys());
    if (newest > migrations.length) {
      logger.warn(
        { databaseVersion: newest, codeVersion: migrations.length },
        "metadata store: the database schema is newer than this gateway",
      );
    }
    const applied: number[] = [];
    for (const m of migrations) {
      if (recorded.has(m.version)) continue;
      await tx.exec(m.sql);
      await tx.query("INSERT INTO schema_migrations (version, name, checksum) VALUES ($1, $2, $3)", [
        m.version,
        m.name,
        m.checksum,
      ]);
      applied.push(m.version);
      logger.info({ version: m.version, name: m.name, driver: driver.kind }, "metadata store: migration applied");
    }
    return { applied, current: Math.max(newest, migrations.length) };
  });
}
