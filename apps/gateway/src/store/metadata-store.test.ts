import { createHash, randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import type {} from "../../test-support/postgres-global-setup.js";
import {
  createMetadataStore,
  type MetadataStore,
  type MetadataStoreOptions,
  openMetadataStore,
} from "./metadata-store.js";
import { applyMigrations, loadMigrations } from "./migrations.js";
import { openPgliteDriver } from "./pglite-driver.js";
import { openPostgresDriver } from "./postgres-driver.js";
import type { SqlDriver } from "./sql-driver.js";
import { isStoreError, type StoreErrorCode } from "./store-error.js";
import type { NewTransfer } from "./transfer-repository.js";

/** A place for a database: how to open it through the store, and raw (for checks behind its back). */
interface Location {
  readonly options: MetadataStoreOptions;
  openDriver(): Promise<SqlDriver>;
}

const tempDirs: string[] = [];
afterAll(async () => {
  await Promise.all(tempDirs.map((d) => rm(d, { recursive: true, force: true })));
});

async function pgliteLocation(): Promise<Location> {
  const dataDir = await mkdtemp(join(tmpdir(), "cyxwiz-store-"));
  tempDirs.push(dataDir);
  return { options: { dataDir }, openDriver: () => openPgliteDriver(join(dataDir, "pgdata")) };
}

/** A fresh database on the throwaway server the global setup started. */
async function postgresLocation(): Promise<Location> {
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
  const databaseUrl = url.toString();
  return { options: { dataDir: "/nonexistent", databaseUrl }, openDriver: () => openPostgresDriver(databaseUrl) };
}

async function rejectsWith(promise: Promise<unknown>, code: StoreErrorCode): Promise<void> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(isStoreError(error), `expected a StoreError ${code}, got ${String(error)}`).toBe(true);
  expect(error).toMatchObject({ name: "StoreError", code });
}

const sha256 = (text: string) => new Uint8Array(createHash("sha256").update(text).digest());
const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString("hex");

describe.each([
  { kind: "pglite", newLocation: pgliteLocation },
  { kind: "postgres", newLocation: postgresLocation },
])("metadata store on $kind", ({ kind, newLocation }) => {
  let driver: SqlDriver;
  let store: MetadataStore;
  let counter = 0;
  /** A name no other test uses, so the tests share one database. */
  const unique = (prefix: string) => `${prefix}${++counter}`;

  beforeAll(async () => {
    driver = await (await newLocation()).openDriver();
    store = await createMetadataStore(driver);
  });
  afterAll(async () => store?.close());

  async function newUser(): Promise<string> {
    const username = unique("user");
    await store.users.create({ username, passwordHash: "$scrypt$test" });
    return username;
  }

  function transferOf(owner: string, overrides: Partial<NewTransfer> = {}): NewTransfer {
    return {
      id: unique("transfer-"),
      owner,
      name: "mnist",
      classification: "internal",
      numChunks: 2,
      chunkSize: 4 << 20,
      totalSize: 6 << 20,
      encrypted: true,
      compression: "zstd",
      ...overrides,
    };
  }

  /** Uploads chunks with these contents and commits them as the next version of owner/name. */
  async function commit(owner: string, name: string, chunkTexts: string[]) {
    const t = await store.transfers.create(transferOf(owner, { name, numChunks: chunkTexts.length }));
    for (const [i, text] of chunkTexts.entries()) await store.transfers.recordChunk(t.id, i, sha256(text), text.length);
    return store.datasets.createVersion({
      owner,
      name,
      transferId: t.id,
      manifestBytes: new TextEncoder().encode(`manifest of ${name}`),
      merkleRoot: sha256(`root ${t.id}`),
    });
  }

  it("applies each migration once, keeps data across close and reopen, and refuses an edited migration", async () => {
    const location = await newLocation();
    const versions = (await loadMigrations()).map((m) => m.version);
    expect(versions[0]).toBe(1);

    const raw = await location.openDriver();
    expect((await applyMigrations(raw)).applied).toEqual(versions);
    expect(await applyMigrations(raw)).toEqual({ applied: [], current: versions.length });
    const before = await raw.query("SELECT version, applied_at FROM schema_migrations ORDER BY version");
    await raw.close();

    const first = await openMetadataStore(location.options);
    expect(first.driverKind).toBe(kind);
    await first.users.create({ username: "persisted", passwordHash: "$scrypt$x", admin: true });
    await first.audit.append({ actor: "user:persisted", action: "login", subject: "session" });
    await first.close();
    await first.close(); // closing twice is harmless

    const reopened = await openMetadataStore(location.options);
    expect(await reopened.users.findByUsername("persisted")).toMatchObject({ username: "persisted", admin: true });
    expect(await reopened.audit.list()).toMatchObject([{ actor: "user:persisted", action: "login" }]);
    await reopened.close();

    const check = await location.openDriver();
    const after = await check.query("SELECT version, applied_at FROM schema_migrations ORDER BY version");
    expect(after.rows).toEqual(before.rows);
    await check.query("UPDATE schema_migrations SET checksum = '\\x00'::bytea WHERE version = 1");
    await check.close();
    await rejectsWith(openMetadataStore(location.options), "migration_mismatch");
  });

  describe("users", () => {
    it("creates, finds and counts accounts; a taken name fails and keeps the first account", async () => {
      const countBefore = await store.users.count();
      const username = unique("ada");
      const user = await store.users.create({ username, passwordHash: "$scrypt$one", admin: true });
      expect(user).toMatchObject({ username, passwordHash: "$scrypt$one", admin: true });
      expect(user.createdAt).toBeInstanceOf(Date);
      expect(await store.users.findByUsername(username)).toEqual(user);
      expect(await store.users.findByUsername(unique("nobody"))).toBeUndefined();
      expect(await store.users.count()).toBe(countBefore + 1);

      await rejectsWith(store.users.create({ username, passwordHash: "$scrypt$two" }), "already_exists");
      expect((await store.users.findByUsername(username))?.passwordHash).toBe("$scrypt$one");
    });

    it("refuses malformed usernames before touching the database", async () => {
      const countBefore = await store.users.count();
      for (const username of ["", "Alice", "a/b", "../root", "a b", "a\u0000", "-lead", "x".repeat(65)]) {
        await rejectsWith(store.users.create({ username, passwordHash: "$scrypt$x" }), "invalid_argument");
      }
      await rejectsWith(store.users.create({ username: unique("ok"), passwordHash: "" }), "invalid_argument");
      expect(await store.users.count()).toBe(countBefore);
    });

    it("gives one of two concurrent creations of a name the account and the other already_exists", async () => {
      const username = unique("race");
      const results = await Promise.allSettled(
        [1, 2, 3].map((i) => store.users.create({ username, passwordHash: `$scrypt$${i}` })),
      );
      expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
      for (const r of results) if (r.status === "rejected") expect(r.reason).toMatchObject({ code: "already_exists" });
    });
  });

  describe("transfers", () => {
    it("round-trips every field, sizes beyond 32 bits included", async () => {
      const owner = await newUser();
      const input = transferOf(owner, { totalSize: 5 * 2 ** 40, numChunks: 1_310_720, merkleRoot: sha256("root") });
      const created = await store.transfers.create(input);
      expect(created).toMatchObject({ ...input, state: "pending" });
      expect(created.merkleRoot).toEqual(sha256("root"));
      expect(await store.transfers.get(input.id)).toEqual(created);
      expect((await store.transfers.create(transferOf(owner))).merkleRoot).toBeUndefined();
    });

    it("gives typed errors for unknown ids and owners, taken ids and malformed fields, storing nothing", async () => {
      const owner = await newUser();
      const t = await store.transfers.create(transferOf(owner));
      await rejectsWith(store.transfers.get(unique("missing-")), "not_found");
      await rejectsWith(store.transfers.create(transferOf(unique("ghost"))), "not_found");
      await rejectsWith(store.transfers.create({ ...transferOf(owner), id: t.id, name: "other" }), "already_exists");
      expect((await store.transfers.get(t.id)).name).toBe("mnist");
      const bad: Partial<NewTransfer>[] = [
        { id: "../etc/passwd" },
        { id: "x".repeat(129) },
        { name: "a/b" },
        { numChunks: -1 },
        { chunkSize: 0 },
        { totalSize: 1.5 },
        { merkleRoot: new Uint8Array(31) },
        { classification: "secret" as never },
        { compression: "gzip" as never },
      ];
      for (const overrides of bad) {
        const input = transferOf(owner, overrides);
        await rejectsWith(store.transfers.create(input), "invalid_argument");
        if (overrides.id === undefined) await rejectsWith(store.transfers.get(input.id), "not_found");
      }
    });

    it("records chunks idempotently and refuses a different digest for a recorded index", async () => {
      const owner = await newUser();
      const t = await store.transfers.create(transferOf(owner, { numChunks: 3 }));
      expect(await store.transfers.recordChunk(t.id, 1, sha256("b"), 100)).toEqual({ duplicate: false });
      expect(await store.transfers.recordChunk(t.id, 0, sha256("a"), 90)).toEqual({ duplicate: false });
      expect(await store.transfers.recordChunk(t.id, 1, sha256("b"), 100)).toEqual({ duplicate: true });

      await rejectsWith(store.transfers.recordChunk(t.id, 1, sha256("evil"), 100), "conflict");
      await rejectsWith(store.transfers.recordChunk(t.id, 1, sha256("b"), 101), "conflict");
      await rejectsWith(store.transfers.recordChunk(t.id, 3, sha256("c"), 1), "invalid_argument");
      await rejectsWith(store.transfers.recordChunk(t.id, -1, sha256("c"), 1), "invalid_argument");
      await rejectsWith(store.transfers.recordChunk(t.id, 2, new Uint8Array(31), 1), "invalid_argument");
      await rejectsWith(store.transfers.recordChunk(unique("missing-"), 0, sha256("a"), 1), "not_found");
      await rejectsWith(store.transfers.chunks(unique("missing-")), "not_found");

      expect(await store.transfers.chunks(t.id)).toEqual([
        { index: 0, digest: sha256("a"), storedSize: 90 },
        { index: 1, digest: sha256("b"), storedSize: 100 },
      ]);

      // a digest is referenced while any transfer has a chunk with it
      const only = sha256(unique("only-here-"));
      expect(await store.transfers.isDigestReferenced(only)).toBe(false);
      await store.transfers.recordChunk(t.id, 2, only, 10);
      expect(await store.transfers.isDigestReferenced(only)).toBe(true);
      await rejectsWith(store.transfers.isDigestReferenced(new Uint8Array(31)), "invalid_argument");
    });

    it("records one chunk once when the same frame is recorded concurrently", async () => {
      const owner = await newUser();
      const t = await store.transfers.create(transferOf(owner));
      const results = await Promise.all(
        [1, 2, 3, 4, 5].map(() => store.transfers.recordChunk(t.id, 0, sha256("same"), 7)),
      );
      expect(results.filter((r) => !r.duplicate)).toHaveLength(1);
      expect(await store.transfers.chunks(t.id)).toHaveLength(1);
    });

    it("moves through states; a finished transfer keeps its state and takes no new chunks", async () => {
      const owner = await newUser();
      const t = await store.transfers.create(transferOf(owner));
      const moving = await store.transfers.setState(t.id, "in_progress");
      expect(moving.state).toBe("in_progress");
      expect(moving.updatedAt.getTime()).toBeGreaterThanOrEqual(t.updatedAt.getTime());
      await store.transfers.recordChunk(t.id, 0, sha256("a"), 1);
      await rejectsWith(store.transfers.setState(t.id, "completed"), "invalid_argument");
      await rejectsWith(store.transfers.setState(t.id, "paused" as never), "invalid_argument");
      expect((await store.transfers.setState(t.id, "cancelled")).state).toBe("cancelled");
      expect((await store.transfers.setState(t.id, "cancelled")).state).toBe("cancelled");
      await rejectsWith(store.transfers.setState(t.id, "in_progress"), "conflict");
      await rejectsWith(store.transfers.recordChunk(t.id, 1, sha256("b"), 1), "conflict");
      // A resent frame for a chunk recorded before the end is still recognised.
      expect(await store.transfers.recordChunk(t.id, 0, sha256("a"), 1)).toEqual({ duplicate: true });
      expect((await store.transfers.get(t.id)).state).toBe("cancelled");
      await rejectsWith(store.transfers.setState(unique("missing-"), "failed"), "not_found");
    });
  });

  describe("storage usage (the per-user quota)", () => {
    it("counts committed versions' stored bytes and the unfinished transfers; finished and deleted ones free their share", async () => {
      const owner = await newUser();
      expect(await store.transfers.usage(owner)).toEqual({ committedBytes: 0, unfinished: [] });
      await commit(owner, "kept", ["12345", "678"]); // 8 stored bytes
      await commit(owner, "gone", ["1234567890"]);
      const pending = await store.transfers.create(transferOf(owner));
      const moving = await store.transfers.create(transferOf(owner));
      await store.transfers.setState(moving.id, "in_progress");
      const cancelled = await store.transfers.create(transferOf(owner));
      await store.transfers.setState(cancelled.id, "cancelled");
      const failed = await store.transfers.create(transferOf(owner));
      await store.transfers.setState(failed.id, "failed");
      const deleted = await store.transfers.create(transferOf(owner));
      await store.transfers.delete(deleted.id);
      await store.transfers.create(transferOf(await newUser())); // someone else's
      const usage = await store.transfers.usage(owner);
      expect(usage.committedBytes).toBe(18);
      expect(usage.unfinished.map((t) => [t.id, t.state])).toEqual([
        [pending.id, "pending"],
        [moving.id, "in_progress"],
      ]);
      expect(usage.unfinished[0]).toEqual(await store.transfers.get(pending.id));
      await store.datasets.delete(owner, "gone");
      expect((await store.transfers.usage(owner)).committedBytes).toBe(8);
      await rejectsWith(store.transfers.usage("Not A User!"), "invalid_argument");
    });

    it("create asks `admit` with the owner's usage; a refusal records nothing and comes back as thrown", async () => {
      const owner = await newUser();
      const first = await store.transfers.create(transferOf(owner), {
        admit: (u) => expect(u).toEqual({ committedBytes: 0, unfinished: [] }),
      });
      const refusal = new Error("over quota");
      const seen: string[][] = [];
      const refused = transferOf(owner);
      const outcome = await store.transfers
        .create(refused, {
          admit: (u) => {
            seen.push(u.unfinished.map((t) => t.id));
            throw refusal;
          },
        })
        .catch((e: unknown) => e);
      expect(outcome).toBe(refusal);
      expect(seen).toEqual([[first.id]]);
      await rejectsWith(store.transfers.get(refused.id), "not_found");
      await rejectsWith(store.transfers.create(transferOf(unique("ghost")), { admit: () => {} }), "not_found");
      await rejectsWith(
        store.transfers.create({ ...transferOf(owner), id: first.id }, { admit: () => {} }),
        "already_exists",
      );
      expect((await store.transfers.usage(owner)).unfinished.map((t) => t.id)).toEqual([first.id]);
    });

    it("lets only as many concurrent creations through as fit: each sees the ones before it", async () => {
      const owner = await newUser();
      const limit = 3 * (6 << 20); // three transfers of 6 MiB
      const admit = (u: { unfinished: readonly { totalSize: number }[] }) => {
        const used = u.unfinished.reduce((sum, t) => sum + t.totalSize, 0);
        if (used + (6 << 20) > limit) throw new Error("over quota");
      };
      const results = await Promise.allSettled(
        Array.from({ length: 6 }, () => store.transfers.create(transferOf(owner), { admit })),
      );
      expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(3);
      expect((await store.transfers.usage(owner)).unfinished).toHaveLength(3);
    });
  });

  describe("API tokens", () => {
    const tokenId = () => `tok_${randomBytes(16).toString("base64url")}`;
    const inDays = (n: number) => new Date(Date.now() + n * 86_400_000);

    it("records, lists newest first per owner, and revokes once; lists the revoked ids until they expire", async () => {
      const owner = await newUser();
      const other = await newUser();
      const a = await store.apiTokens.create({ id: tokenId(), owner, label: "ci", expiresAt: inDays(30) });
      expect(a).toMatchObject({ owner, label: "ci", revokedAt: undefined });
      const b = await store.apiTokens.create({ id: tokenId(), owner, label: "scraper", expiresAt: inDays(1) });
      const c = await store.apiTokens.create({ id: tokenId(), owner: other, label: "x", expiresAt: inDays(1) });
      expect((await store.apiTokens.list(owner)).map((t) => t.id)).toEqual([b.id, a.id]);
      expect((await store.apiTokens.list(undefined)).map((t) => t.id)).toEqual(
        expect.arrayContaining([a.id, b.id, c.id]),
      );
      expect(await store.apiTokens.find(a.id)).toEqual(a);
      expect(await store.apiTokens.find(tokenId())).toBeUndefined();

      const revoked = await store.apiTokens.revoke(a.id);
      expect(revoked.revokedAt).toBeInstanceOf(Date);
      expect((await store.apiTokens.revoke(a.id)).revokedAt).toEqual(revoked.revokedAt);
      expect(await store.apiTokens.revokedIds()).toContain(a.id);
      expect(await store.apiTokens.revokedIds()).not.toContain(b.id);
      // a revoked token that has expired is refused anyway: it leaves the list
      await driver.query(
        "UPDATE api_tokens SET created_at = now() - interval '2 days', expires_at = now() - interval '1 day' WHERE id = $1",
        [b.id],
      );
      await store.apiTokens.revoke(b.id);
      expect(await store.apiTokens.revokedIds()).not.toContain(b.id);
    });

    it("refuses malformed records before touching the database, and unknown owners and ids", async () => {
      const owner = await newUser();
      await rejectsWith(
        store.apiTokens.create({ id: "tok_short", owner, label: "x", expiresAt: inDays(1) }),
        "invalid_argument",
      );
      await rejectsWith(
        store.apiTokens.create({ id: tokenId(), owner, label: "", expiresAt: inDays(1) }),
        "invalid_argument",
      );
      await rejectsWith(
        store.apiTokens.create({ id: tokenId(), owner, label: "a\u0007", expiresAt: inDays(1) }),
        "invalid_argument",
      );
      await rejectsWith(
        store.apiTokens.create({ id: tokenId(), owner, label: "x", expiresAt: inDays(-1) }),
        "invalid_argument",
      );
      await rejectsWith(
        store.apiTokens.create({ id: tokenId(), owner: unique("ghost"), label: "x", expiresAt: inDays(1) }),
        "not_found",
      );
      const t = await store.apiTokens.create({ id: tokenId(), owner, label: "x", expiresAt: inDays(1) });
      await rejectsWith(
        store.apiTokens.create({ id: t.id, owner, label: "y", expiresAt: inDays(1) }),
        "already_exists",
      );
      await rejectsWith(store.apiTokens.revoke(tokenId()), "not_found");
      await rejectsWith(store.apiTokens.find("../etc"), "invalid_argument");
      expect((await store.apiTokens.list(owner)).map((r) => r.label)).toEqual(["x"]);
    });
  });

  describe("datasets", () => {
    it("commits a complete transfer as v1, derived from the transfer, and completes the transfer", async () => {
      const owner = await newUser();
      const t = await store.transfers.create(
        transferOf(owner, { numChunks: 2, totalSize: 5_000_000, merkleRoot: sha256("declared") }),
      );
      await store.transfers.recordChunk(t.id, 0, sha256("c0"), 4_000_000);
      await store.transfers.recordChunk(t.id, 1, sha256("c1"), 1_100_000);
      const manifestBytes = randomBytes(5000);
      const escrowedKey = randomBytes(92);
      const v = await store.datasets.createVersion({
        owner,
        name: "mnist",
        transferId: t.id,
        manifestBytes,
        merkleRoot: sha256("declared"),
        escrowedKey,
      });
      expect(v).toMatchObject({
        owner,
        name: "mnist",
        version: 1,
        transferId: t.id,
        totalSize: 5_000_000,
        storedSize: 5_100_000,
        numChunks: 2,
        chunkSize: t.chunkSize,
        classification: "internal",
        codec: "zstd",
        encrypted: true,
        keyEscrowed: true,
        status: "ready",
      });
      expect(v.manifestBytes).toEqual(new Uint8Array(manifestBytes));
      expect(v.escrowedKey).toEqual(new Uint8Array(escrowedKey));
      expect(v.merkleRoot).toEqual(sha256("declared"));
      expect(await store.datasets.get(owner, "mnist")).toEqual(v);
      expect((await store.transfers.get(t.id)).state).toBe("completed");
      await rejectsWith(
        store.datasets.createVersion({
          owner,
          name: "again",
          transferId: t.id,
          manifestBytes,
          merkleRoot: v.merkleRoot,
        }),
        "already_exists",
      );
      await rejectsWith(store.datasets.get(owner, "again"), "not_found");
    });

    it("refuses incomplete, foreign, mismatched or over-escrowed commits without allocating a version", async () => {
      const owner = await newUser();
      const stranger = await newUser();
      const base = { owner, name: "guarded", manifestBytes: new Uint8Array([1]), merkleRoot: sha256("r") };

      const incomplete = await store.transfers.create(transferOf(owner, { numChunks: 2 }));
      await store.transfers.recordChunk(incomplete.id, 0, sha256("only"), 1);
      await rejectsWith(store.datasets.createVersion({ ...base, transferId: incomplete.id }), "conflict");
      await rejectsWith(store.datasets.createVersion({ ...base, transferId: unique("missing-") }), "not_found");
      await rejectsWith(
        store.datasets.createVersion({ ...base, owner: stranger, transferId: incomplete.id }),
        "not_found",
      );

      const declared = await store.transfers.create(
        transferOf(owner, { numChunks: 0, merkleRoot: sha256("declared") }),
      );
      await rejectsWith(store.datasets.createVersion({ ...base, transferId: declared.id }), "conflict");

      const confidential = await store.transfers.create(
        transferOf(owner, { numChunks: 0, classification: "confidential" }),
      );
      await rejectsWith(
        store.datasets.createVersion({ ...base, transferId: confidential.id, escrowedKey: new Uint8Array(92) }),
        "invalid_argument",
      );
      const plain = await store.transfers.create(transferOf(owner, { numChunks: 0, encrypted: false }));
      await rejectsWith(
        store.datasets.createVersion({ ...base, transferId: plain.id, escrowedKey: new Uint8Array(92) }),
        "invalid_argument",
      );
      const cancelled = await store.transfers.create(transferOf(owner, { numChunks: 0 }));
      await store.transfers.setState(cancelled.id, "cancelled");
      await rejectsWith(store.datasets.createVersion({ ...base, transferId: cancelled.id }), "conflict");
      await rejectsWith(
        store.datasets.createVersion({ ...base, transferId: plain.id, manifestBytes: new Uint8Array() }),
        "invalid_argument",
      );

      expect(await store.datasets.list(owner)).toEqual([]);
      expect((await store.transfers.get(incomplete.id)).state).toBe("pending");
      // Every refusal rolled back its version number: the first commit that succeeds is v1.
      await store.transfers.recordChunk(incomplete.id, 1, sha256("rest"), 1);
      expect((await store.datasets.createVersion({ ...base, transferId: incomplete.id })).version).toBe(1);
      expect((await store.datasets.createVersion({ ...base, transferId: confidential.id })).version).toBe(2);
    });

    it("numbers versions 1, 2, 3, never reuses a deleted number, and lists the newest of each dataset", async () => {
      const owner = await newUser();
      expect((await commit(owner, "zeta", ["a"])).version).toBe(1);
      expect((await commit(owner, "zeta", ["b"])).version).toBe(2);
      expect((await commit(owner, "zeta", ["c"])).version).toBe(3);
      expect((await commit(owner, "alpha", ["d"])).version).toBe(1);

      expect((await store.datasets.delete(owner, "zeta", 3)).versionsDeleted).toBe(1);
      expect((await store.datasets.get(owner, "zeta")).version).toBe(2);
      expect((await commit(owner, "zeta", ["e"])).version).toBe(4);

      expect((await store.datasets.list(owner)).map((v) => `${v.name}@v${v.version}`)).toEqual(["alpha@v1", "zeta@v4"]);
      expect((await store.datasets.versions(owner, "zeta")).map((v) => v.version)).toEqual([4, 2, 1]);
      expect((await store.datasets.get(owner, "zeta", 2)).version).toBe(2);
      await rejectsWith(store.datasets.get(owner, "zeta", 3), "not_found");
      await rejectsWith(store.datasets.versions(owner, "missing"), "not_found");
      expect(await store.datasets.list(unique("nobody"))).toEqual([]);

      await store.datasets.setStatus(owner, "zeta", 2, "corrupt");
      expect((await store.datasets.get(owner, "zeta", 2)).status).toBe("corrupt");
      await rejectsWith(store.datasets.setStatus(owner, "zeta", 3, "corrupt"), "not_found");
    });

    it("stores a name in NFC and finds it by either spelling, for every call that takes a name", async () => {
      const owner = await newUser();
      const nfd = "cafe\u0301";
      const nfc = "caf\u00e9";
      expect((await store.transfers.create(transferOf(owner, { name: nfd }))).name).toBe(nfc);
      expect(await commit(owner, nfd, ["a"])).toMatchObject({ name: nfc, version: 1 });
      expect(await commit(owner, nfc, ["b"])).toMatchObject({ name: nfc, version: 2 });
      expect((await store.datasets.versions(owner, nfd)).map((v) => v.version)).toEqual([2, 1]);
      await store.datasets.setStatus(owner, nfd, 1, "corrupt");
      expect((await store.datasets.get(owner, nfd, 1)).status).toBe("corrupt");
      expect((await store.datasets.delete(owner, nfd)).versionsDeleted).toBe(2);
      expect(await store.datasets.list(owner)).toEqual([]);
    });

    it("gives concurrent commits of one name distinct consecutive versions", async () => {
      const owner = await newUser();
      const commits = await Promise.all(
        ["a", "b", "c", "d", "e", "f"].map((text) => commit(owner, "contended", [text])),
      );
      expect(commits.map((v) => v.version).sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6]);
      expect(await store.datasets.versions(owner, "contended")).toHaveLength(6);
    });

    it("deletes versions and reports exactly the digests nothing else references", async () => {
      const owner = await newUser();
      await commit(owner, "a", ["x", "shared"]);
      await commit(owner, "a", ["y", "shared"]);
      await commit(owner, "b", ["shared", "z"]);
      const live = await store.transfers.create(transferOf(owner, { numChunks: 2 }));
      await store.transfers.recordChunk(live.id, 0, sha256("y"), 1);
      const digests = (r: { unreferencedDigests: Uint8Array[] }) => r.unreferencedDigests.map(hex).sort();

      const first = await store.datasets.delete(owner, "a", 1);
      expect(first.versionsDeleted).toBe(1);
      expect(digests(first)).toEqual([hex(sha256("x"))]);

      const rest = await store.datasets.delete(owner, "a");
      expect(rest.versionsDeleted).toBe(1);
      expect(digests(rest)).toEqual([]); // "y" is in the live transfer, "shared" in b@v1
      await rejectsWith(store.datasets.get(owner, "a"), "not_found");
      await rejectsWith(store.datasets.delete(owner, "a"), "not_found");

      await rejectsWith(store.datasets.delete(owner, "b", 9), "not_found");
      expect(await store.datasets.versions(owner, "b")).toHaveLength(1);
      const b = await store.datasets.get(owner, "b");
      await rejectsWith(store.transfers.delete(b.transferId), "conflict");
      expect(digests(await store.datasets.delete(owner, "b"))).toEqual(
        [hex(sha256("shared")), hex(sha256("z"))].sort(),
      );
      await rejectsWith(store.transfers.get(b.transferId), "not_found");

      expect(digests(await store.transfers.delete(live.id))).toEqual([hex(sha256("y"))]);
      // A deleted dataset's name starts a new history.
      expect((await commit(owner, "a", ["fresh"])).version).toBe(1);
    });

    it("refuses bad names with a typed error and stores nothing", async () => {
      const owner = await newUser();
      const t = await store.transfers.create(transferOf(owner, { numChunks: 0 }));
      const badNames = [
        "",
        "a/b",
        "..\\windows",
        "../up",
        ".",
        "..",
        "tab\there",
        "line\nbreak",
        "nul\u0000",
        "c1\u0085",
        "bell\u0007",
        "del\u007f",
        "sep\u2028",
        "lone\ud800",
        "mnist@v2",
        " padded",
        "x".repeat(129),
        "y".repeat(1 << 20),
      ];
      for (const name of badNames) {
        await rejectsWith(
          store.datasets.createVersion({
            owner,
            name,
            transferId: t.id,
            manifestBytes: new Uint8Array([1]),
            merkleRoot: sha256("r"),
          }),
          "invalid_argument",
        );
        await rejectsWith(store.datasets.get(owner, name), "invalid_argument");
        await rejectsWith(store.transfers.create(transferOf(owner, { name })), "invalid_argument");
      }
      expect(await store.datasets.list(owner)).toEqual([]);
      expect((await store.transfers.get(t.id)).state).toBe("pending");
      const longest = "é".repeat(128);
      expect((await commit(owner, longest, ["ok"])).name).toBe(longest);
      expect((await commit(owner, "données d'été (v1.2)", ["ok"])).version).toBe(1);
    });

    it("has the schema refuse bad names and digests even from code that skips the checks", async () => {
      const owner = await newUser();
      for (const name of ["a/b", "a\\b", "a\u0001b", "a@b", "..", "x".repeat(129)]) {
        const error = await driver
          .query("INSERT INTO datasets (owner, name, last_version) VALUES ($1, $2, 1)", [owner, name])
          .then(
            () => undefined,
            (e: unknown) => e,
          );
        expect(error, name).toMatchObject({ code: "23514" }); // check_violation
      }
      const t = await store.transfers.create(transferOf(owner));
      const short = await driver
        .query("INSERT INTO transfer_chunks VALUES ($1, 0, $2, 1)", [t.id, new Uint8Array(31)])
        .then(
          () => undefined,
          (e: unknown) => e,
        );
      expect(short).toMatchObject({ code: "23514" });
    });
  });

  describe("audit log", () => {
    it("appends entries and lists them newest first, by page and by subject", async () => {
      const subject = unique("dataset:");
      const entries = [];
      for (const action of ["upload", "read", "delete"]) {
        entries.push(
          await store.audit.append({ actor: "user:ada", action, subject, detail: { bytes: 42, via: "ws" } }),
        );
      }
      expect(entries[0]).toMatchObject({
        actor: "user:ada",
        action: "upload",
        subject,
        detail: { bytes: 42, via: "ws" },
      });
      expect(entries[0]?.at).toBeInstanceOf(Date);
      expect(entries[1]?.id).toBeGreaterThan(entries[0]?.id ?? Number.POSITIVE_INFINITY);

      expect((await store.audit.list({ subject })).map((e) => e.action)).toEqual(["delete", "read", "upload"]);
      expect((await store.audit.list({ subject, limit: 1 })).map((e) => e.action)).toEqual(["delete"]);
      const page = await store.audit.list({ subject, before: entries[2]?.id ?? 0 });
      expect(page.map((e) => e.action)).toEqual(["read", "upload"]);
      expect((await store.audit.list({ limit: 1 }))[0]?.id).toBeGreaterThanOrEqual(entries[2]?.id ?? 0);
    });

    it("refuses UPDATE, DELETE and TRUNCATE of the audit log, whoever asks", async () => {
      const subject = unique("node:");
      const entry = await store.audit.append({ actor: "system", action: "register", subject });
      for (const sql of [
        `UPDATE audit_log SET actor = 'someone else' WHERE id = ${entry.id}`,
        `DELETE FROM audit_log WHERE id = ${entry.id}`,
        "TRUNCATE audit_log",
      ]) {
        const error = await driver.query(sql).then(
          () => undefined,
          (e: unknown) => e,
        );
        expect(error, sql).toMatchObject({ code: "42501" });
        expect(String((error as Error).message)).toContain("append-only");
      }
      expect(await store.audit.list({ subject })).toEqual([entry]);
    });

    it("refuses malformed entries and queries", async () => {
      const subject = unique("bad:");
      const ok = { actor: "user:ada", action: "read", subject };
      for (const entry of [
        { ...ok, actor: "" },
        { ...ok, action: "x".repeat(65) },
        { ...ok, subject: "line\nbreak" },
        { ...ok, detail: [1, 2] as never },
        { ...ok, detail: { big: "x".repeat(20_000) } },
        { ...ok, detail: { nul: "\u0000" } },
        { ...ok, detail: { n: 1n } as never },
      ]) {
        await rejectsWith(store.audit.append(entry), "invalid_argument");
      }
      await rejectsWith(store.audit.list({ limit: 0 }), "invalid_argument");
      await rejectsWith(store.audit.list({ limit: 1001 }), "invalid_argument");
      expect(await store.audit.list({ subject })).toEqual([]);
    });
  });
});

describe("metadata store on PostgreSQL with several replicas", () => {
  it("applies each migration exactly once when replicas start together", async () => {
    const location = await postgresLocation();
    const replicas = await Promise.all([1, 2, 3, 4].map(() => openMetadataStore(location.options)));
    const raw = await location.openDriver();
    try {
      const { rows } = await raw.query("SELECT version FROM schema_migrations ORDER BY version");
      expect(rows.map((r) => r.version)).toEqual((await loadMigrations()).map((m) => m.version));
      // And the replicas share one database: one commits what the other reads.
      const [a, b] = replicas as [MetadataStore, MetadataStore];
      await a.users.create({ username: "shared", passwordHash: "$scrypt$x" });
      expect(await b.users.findByUsername("shared")).toBeDefined();
    } finally {
      await raw.close();
      await Promise.all(replicas.map((r) => r.close()));
    }
  });

  it("fails to open with the driver's error when the server cannot be reached", async () => {
    await expect(
      openMetadataStore({ dataDir: "/nonexistent", databaseUrl: "postgres://postgres@127.0.0.1:1/none" }),
    ).rejects.toThrow(/ECONNREFUSED/);
  });
});
