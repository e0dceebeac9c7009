import { createHash, randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CLASSIFICATIONS, DEFAULT_POLICIES, policyFor } from "@cyxwiz/protocol/vocab";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import type {} from "../../test-support/postgres-global-setup.js";
import { createMetadataStore, type MetadataStore } from "./metadata-store.js";
import { applyMigrations, loadMigrations } from "./migrations.js";
import { openPgliteDriver } from "./pglite-driver.js";
import { openPostgresDriver } from "./postgres-driver.js";
import type { SqlDriver } from "./sql-driver.js";
import type { Classification } from "./transfer-repository.js";

// Data policies as the store keeps them (migrations/0004_policy.sql, docs/data-policy.md): the
// defaults a version starts with, changing them (and what is refused, leaving the row as it
// was), deleting expired versions at a time the test chooses, and the migration of a database
// that holds versions from before policies existed.

const tempDirs: string[] = [];
afterAll(async () => {
  await Promise.all(tempDirs.map((d) => rm(d, { recursive: true, force: true })));
});

async function pgliteDriver(): Promise<SqlDriver> {
  const dataDir = await mkdtemp(join(tmpdir(), "cyxwiz-policy-"));
  tempDirs.push(dataDir);
  return openPgliteDriver(join(dataDir, "pgdata"));
}

async function postgresDriver(): Promise<SqlDriver> {
  const serverUrl = inject("postgresUrl");
  const name = `cyxwiz_test_${randomBytes(6).toString("hex")}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return openPostgresDriver(url.toString());
}

const sha256 = (text: string) => new Uint8Array(createHash("sha256").update(text).digest());
const day = 24 * 3600 * 1000;

async function codeOf(p: Promise<unknown>): Promise<string> {
  return p.then(
    () => "ok",
    (e: { code?: string }) => String(e.code),
  );
}

describe.each([
  { kind: "pglite", open: pgliteDriver },
  { kind: "postgres", open: postgresDriver },
])("dataset policies on $kind", ({ open }) => {
  let store: MetadataStore;
  let driver: SqlDriver;
  let counter = 0;
  const unique = (prefix: string) => `${prefix}${++counter}`;

  beforeAll(async () => {
    driver = await open();
    store = await createMetadataStore(driver);
  });
  afterAll(async () => store?.close());

  async function newUser(): Promise<string> {
    const username = unique("user");
    await store.users.create({ username, passwordHash: "$scrypt$test" });
    return username;
  }

  /** Commits one version of owner/name with these chunk contents. */
  async function commit(
    owner: string,
    name: string,
    options: { classification?: Classification; encrypted?: boolean; escrow?: boolean; chunks?: string[] } = {},
  ) {
    const chunks = options.chunks ?? [unique("chunk")];
    const t = await store.transfers.create({
      id: unique("transfer-"),
      owner,
      name,
      classification: options.classification ?? "internal",
      numChunks: chunks.length,
      chunkSize: 4096,
      totalSize: chunks.length * 4096,
      encrypted: options.encrypted ?? true,
      compression: "none",
    });
    for (const [i, text] of chunks.entries()) await store.transfers.recordChunk(t.id, i, sha256(text), 4096);
    return store.datasets.createVersion({
      owner,
      name,
      transferId: t.id,
      manifestBytes: new TextEncoder().encode(`manifest of ${name}`),
      merkleRoot: sha256(`root ${t.id}`),
      ...(options.escrow === true ? { escrowedKey: randomBytes(92) } : {}),
    });
  }

  it("gives a new version its level's defaults, listed and read back alike", async () => {
    const owner = await newUser();
    for (const c of CLASSIFICATIONS) {
      const v = await commit(owner, `ds-${c.stored}`, { classification: c.stored });
      expect(v.policy).toEqual(DEFAULT_POLICIES[c.name]);
      expect(v.expiresAt).toBeUndefined();
      expect((await store.datasets.get(owner, v.name)).policy).toEqual(v.policy);
    }
    const listed = await store.datasets.list(owner);
    expect(listed.map((v) => v.policy.classification)).toEqual(
      [...CLASSIFICATIONS].sort((a, b) => a.stored.localeCompare(b.stored)).map((c) => c.name),
    );
  });

  it("sets a tighter policy and a new classification on one version, returning the one before", async () => {
    const owner = await newUser();
    const v1 = await commit(owner, "census", { classification: "public", encrypted: true });
    await commit(owner, "census", { classification: "public", encrypted: true });
    const wanted = policyFor("confidential", {
      minReputation: 80,
      allowedRegions: ["eu", "us-east-1"],
      expireAfterDays: 30,
    });
    const { before, version } = await store.datasets.setPolicy(owner, "census", 1, wanted);
    expect(before).toEqual(DEFAULT_POLICIES.public);
    expect(version).toMatchObject({ version: 1, classification: "confidential", policy: wanted });
    expect(version.expiresAt).toEqual(new Date(v1.createdAt.getTime() + 30 * day));
    expect(await store.datasets.get(owner, "census", 1)).toMatchObject({
      classification: "confidential",
      policy: wanted,
    });
    // The other version is untouched; omitting the version changes the newest.
    expect((await store.datasets.get(owner, "census", 2)).policy).toEqual(DEFAULT_POLICIES.public);
    const newest = await store.datasets.setPolicy(owner, "census", undefined, policyFor("internal"));
    expect(newest.version.version).toBe(2);
    // Dropping the expiry clears the expiry time.
    const cleared = await store.datasets.setPolicy(owner, "census", 1, policyFor("confidential"));
    expect(cleared.version.expiresAt).toBeUndefined();
  });

  it("refuses a loosened or malformed policy and leaves the version as it was", async () => {
    const owner = await newUser();
    await commit(owner, "kept", { classification: "confidential" });
    const loose = [
      { ...DEFAULT_POLICIES.confidential, encryptionRequired: false },
      { ...DEFAULT_POLICIES.confidential, keyEscrowAllowed: true },
      { ...DEFAULT_POLICIES.confidential, minReputation: 10 },
      { ...DEFAULT_POLICIES.confidential, allowedRegions: ["Not A Region"] },
      { ...DEFAULT_POLICIES.confidential, cacheTtlHours: 1000 },
      { ...DEFAULT_POLICIES.confidential, classification: "secret" as never },
    ];
    for (const policy of loose) {
      await expect(store.datasets.setPolicy(owner, "kept", 1, policy)).rejects.toMatchObject({
        name: "StoreError",
        code: "invalid_argument",
        message: expect.stringMatching(/^CYXW_ERR_POLICY: [a-zA-Z[\]0-9]+: /),
      });
    }
    expect((await store.datasets.get(owner, "kept")).policy).toEqual(DEFAULT_POLICIES.confidential);
    expect(await codeOf(store.datasets.setPolicy(owner, "missing", 1, policyFor("public")))).toBe("not_found");
    expect(await codeOf(store.datasets.setPolicy(owner, "kept", 9, policyFor("public")))).toBe("not_found");
  });

  it("refuses a policy the stored data breaks: unencrypted data or an escrowed key at Confidential", async () => {
    const owner = await newUser();
    await commit(owner, "plain", { classification: "public", encrypted: false });
    const raised = store.datasets.setPolicy(owner, "plain", 1, policyFor("confidential"));
    await expect(raised).rejects.toMatchObject({
      code: "conflict",
      message: expect.stringMatching(/^CYXW_ERR_POLICY_VIOLATION: plain@v1: the version is stored unencrypted/),
    });
    // Requiring encryption at Public is the same violation.
    expect(
      await codeOf(store.datasets.setPolicy(owner, "plain", 1, policyFor("public", { encryptionRequired: true }))),
    ).toBe("conflict");
    expect(await store.datasets.get(owner, "plain")).toMatchObject({
      classification: "public",
      policy: DEFAULT_POLICIES.public,
    });

    await commit(owner, "escrowed", { classification: "internal", encrypted: true, escrow: true });
    for (const policy of [policyFor("restricted"), policyFor("internal", { keyEscrowAllowed: false })]) {
      await expect(store.datasets.setPolicy(owner, "escrowed", 1, policy)).rejects.toMatchObject({
        code: "conflict",
        message: expect.stringContaining("key is escrowed"),
      });
    }
    expect((await store.datasets.get(owner, "escrowed")).policy).toEqual(DEFAULT_POLICIES.internal);
    // Lowering a level is the owner's to decide.
    expect((await store.datasets.setPolicy(owner, "escrowed", 1, policyFor("public"))).version.classification).toBe(
      "public",
    );
  });

  it("the database itself refuses unencrypted Confidential data and escrow where the policy forbids it", async () => {
    const owner = await newUser();
    const v = await commit(owner, "guarded", { classification: "internal", encrypted: false });
    // Behind the store's back: the CHECKs of 0004_policy.sql are the second line.
    await expect(
      driver.query("UPDATE dataset_versions SET classification = 'confidential' WHERE transfer_id = $1", [
        v.transferId,
      ]),
    ).rejects.toMatchObject({ code: "23514" });
    await expect(
      driver.query("UPDATE dataset_versions SET encryption_required = true WHERE transfer_id = $1", [v.transferId]),
    ).rejects.toMatchObject({ code: "23514" });
    const e = await commit(owner, "guarded-escrow", { classification: "internal", encrypted: true, escrow: true });
    await expect(
      driver.query("UPDATE dataset_versions SET key_escrow_allowed = false WHERE transfer_id = $1", [e.transferId]),
    ).rejects.toMatchObject({ code: "23514" });
  });

  it("deletes expired versions at their expiry time and not before, releasing their chunks", async () => {
    const owner = await newUser();
    const shared = unique("shared-chunk");
    const doomed = await commit(owner, "short-lived", { chunks: [unique("own-chunk"), shared] });
    const kept = await commit(owner, "long-lived", { chunks: [shared] });
    await store.datasets.setPolicy(owner, "short-lived", 1, policyFor("internal", { expireAfterDays: 2 }));
    await store.datasets.setPolicy(owner, "long-lived", 1, policyFor("internal", { expireAfterDays: 3 }));
    const expiry = new Date(doomed.createdAt.getTime() + 2 * day);

    expect((await store.datasets.deleteExpired(new Date(expiry.getTime() - 1), 100)).deleted).toEqual([]);
    expect((await store.datasets.get(owner, "short-lived")).version).toBe(1);

    const swept = await store.datasets.deleteExpired(expiry, 100);
    expect(swept.deleted).toEqual([{ owner, name: "short-lived", version: 1, expiresAt: expiry }]);
    // The chunk only it held is released; the one the other version shares is not.
    expect(swept.unreferencedDigests.map((d) => Buffer.from(d).toString("hex"))).not.toContain(
      Buffer.from(sha256(shared)).toString("hex"),
    );
    expect(swept.unreferencedDigests).toHaveLength(1);
    expect(await codeOf(store.datasets.get(owner, "short-lived"))).toBe("not_found");
    expect(await codeOf(store.transfers.get(doomed.transferId))).toBe("not_found");
    expect((await store.datasets.get(owner, "long-lived")).version).toBe(kept.version);
    // A new upload of the name does not reuse the number.
    expect((await commit(owner, "short-lived")).version).toBe(2);
    await expect(store.datasets.deleteExpired(new Date(Number.NaN), 10)).rejects.toMatchObject({
      code: "invalid_argument",
    });
  });
});

describe("migration 0004 on a database from before policies", () => {
  it.each([
    { kind: "pglite", open: pgliteDriver },
    { kind: "postgres", open: postgresDriver },
  ])("gives existing versions of every level their level's defaults ($kind)", async ({ open }) => {
    const driver = await open();
    try {
      // The schema as it was: migrations 1 and 2 only, applied by hand as applyMigrations records them.
      const old = (await loadMigrations()).filter((m) => m.version <= 2);
      await driver.exec(`CREATE TABLE schema_migrations (
        version integer PRIMARY KEY, name text NOT NULL, checksum bytea NOT NULL,
        applied_at timestamptz NOT NULL DEFAULT now())`);
      for (const m of old) {
        await driver.exec(m.sql);
        await driver.query("INSERT INTO schema_migrations (version, name, checksum) VALUES ($1, $2, $3)", [
          m.version,
          m.name,
          m.checksum,
        ]);
      }
      await driver.query("INSERT INTO users (username, password_hash) VALUES ('old', '$scrypt$x')");
      for (const [i, c] of CLASSIFICATIONS.entries()) {
        const id = `old-${i}`;
        const encrypted = c.stored !== "public"; // a Public version stored plain, the rest encrypted
        await driver.query(
          `INSERT INTO transfers (id, owner, name, state, classification, num_chunks, chunk_size, total_size, encrypted, compression)
           VALUES ($1, 'old', $2, 'completed', $3, 0, 4096, 0, $4, 'none')`,
          [id, `ds-${i}`, c.stored, encrypted],
        );
        await driver.query("INSERT INTO datasets (owner, name, last_version) VALUES ('old', $1, 1)", [`ds-${i}`]);
        await driver.query(
          `INSERT INTO dataset_versions (dataset_id, version, transfer_id, manifest, merkle_root, total_size, stored_size,
             num_chunks, chunk_size, classification, codec, encrypted)
           SELECT id, 1, $1, '\\x01'::bytea, $2, 0, 0, 0, 4096, $3, 'none', $4 FROM datasets WHERE name = $5`,
          [id, sha256(id), c.stored, encrypted, `ds-${i}`],
        );
      }
      const report = await applyMigrations(driver);
      expect(report.applied).toEqual((await loadMigrations()).filter((m) => m.version > 2).map((m) => m.version));
      const store = await createMetadataStore(driver);
      for (const [i, c] of CLASSIFICATIONS.entries()) {
        const v = await store.datasets.get("old", `ds-${i}`);
        expect(v.policy, c.name).toEqual(DEFAULT_POLICIES[c.name]);
        expect(v.expiresAt).toBeUndefined();
      }
      // The migrated rows take policy changes like new ones.
      const set = await store.datasets.setPolicy("old", "ds-1", 1, policyFor("restricted"));
      expect(set.version.classification).toBe("restricted");
      await store.close();
    } catch (e) {
      await driver.close();
      throw e;
    }
  });
});
