import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CODEC_NAMES, ESCROW_ALLOWED, STORED_CLASSIFICATIONS, UNENCRYPTED_ALLOWED } from "@cyxwiz/protocol/vocab";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { applyMigrations } from "./migrations.js";
import { openPgliteDriver } from "./pglite-driver.js";
import type { SqlDriver } from "./sql-driver.js";

// The SQL domains in migrations/0001_init.sql and the level CHECKs of 0001 and 0004_policy.sql repeat @cyxwiz/protocol/vocab's lists (migrations
// are history and stay as written); this reads the CHECK the database actually holds after every
// migration and compares it with the module, so the two cannot drift apart unnoticed.

let dataDir: string;
let driver: SqlDriver;

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), "cyxwiz-vocab-"));
  driver = await openPgliteDriver(join(dataDir, "pgdata"));
  await applyMigrations(driver);
});

afterAll(async () => {
  await driver?.close();
  await rm(dataDir, { recursive: true, force: true });
});

/** The string literals a domain's CHECK constraints allow, in their written order. */
async function allowedValues(domain: string): Promise<string[]> {
  const { rows } = await driver.query<{ def: string }>(
    `SELECT pg_get_constraintdef(c.oid) AS def
       FROM pg_constraint c JOIN pg_type t ON t.oid = c.contypid
      WHERE t.typname = $1 AND c.contype = 'c'`,
    [domain],
  );
  expect(rows, `one CHECK on domain ${domain}`).toHaveLength(1);
  // e.g. CHECK ((VALUE = ANY (ARRAY['none'::text, 'zstd'::text, ...])))
  return [...rows[0]!.def.matchAll(/'((?:[^']|'')*)'::text/g)].map((m) => m[1]!.replace(/''/g, "'"));
}

/** The string literals a table CHECK constraint names, in their written order. */
async function constraintValues(table: string, name: string): Promise<string[]> {
  const { rows } = await driver.query<{ def: string }>(
    `SELECT pg_get_constraintdef(c.oid) AS def
       FROM pg_constraint c JOIN pg_class t ON t.oid = c.conrelid
      WHERE t.relname = $1 AND c.conname = $2 AND c.contype = 'c'`,
    [table, name],
  );
  expect(rows, `CHECK ${name} on ${table}`).toHaveLength(1);
  return [...rows[0]!.def.matchAll(/'((?:[^']|'')*)'::text/g)].map((m) => m[1]!.replace(/''/g, "'"));
}

describe("the SQL CHECKs agree with @cyxwiz/protocol/vocab", () => {
  it("compression_codec allows exactly the codec names", async () => {
    expect(await allowedValues("compression_codec")).toEqual([...CODEC_NAMES]);
  });

  it("data_classification allows exactly the stored classifications", async () => {
    expect(await allowedValues("data_classification")).toEqual([...STORED_CLASSIFICATIONS]);
  });

  it("unencrypted data is allowed at exactly the levels whose policy does not require encryption", async () => {
    expect(await constraintValues("dataset_versions", "unencrypted_only_public_or_internal")).toEqual([
      ...UNENCRYPTED_ALLOWED,
    ]);
  });

  it("key escrow is allowed at exactly the levels whose policy allows it", async () => {
    expect(await constraintValues("dataset_versions", "escrow_only_public_or_internal")).toEqual([...ESCROW_ALLOWED]);
  });
});
