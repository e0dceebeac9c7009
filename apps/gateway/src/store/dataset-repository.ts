import { type DataPolicy, policyViolations } from "@cyxwiz/protocol/vocab";
import {
  checkByteString,
  checkBytes,
  checkDatasetName,
  checkInteger,
  checkOneOf,
  checkTransferId,
  checkUsername,
} from "./input-validation.js";
import type { SqlDriver, SqlQueryable } from "./sql-driver.js";
import {
  bytes,
  date,
  mapWriteError,
  maxInt32,
  notFound,
  num,
  optionalBytes,
  type Row,
  sameBytes,
} from "./sql-values.js";
import { StoreError } from "./store-error.js";
import {
  type Classification,
  type Codec,
  type DeleteResult,
  finishedStates,
  releaseTransfers,
  toTransfer,
} from "./transfer-repository.js";
import {
  checkStoredPolicy,
  defaultPolicyOf,
  expiresAtSql,
  policyColumnNames,
  policyColumns,
  policyOfRow,
  policyParams,
  storedClassificationOf,
} from "./version-policy.js";

/** A dataset version's health: `corrupt` once a later integrity check finds damaged chunks. */
export const datasetStatuses = ["ready", "corrupt"] as const;
export type DatasetStatus = (typeof datasetStatuses)[number];

/** Bounds on what a version stores besides chunks: a manifest of ~1 M chunks fits comfortably. */
const maxManifestBytes = 64 * 1024 * 1024;
const maxEscrowedKeyBytes = 4096;

/**
 * Committing a transfer as a dataset version. Sizes, chunk counts, classification, codec and
 * encryption are taken from the transfer and its recorded chunks, so a version can never
 * describe different data than was uploaded.
 */
export interface NewDatasetVersion {
  readonly owner: string;
  readonly name: string;
  readonly transferId: string;
  /** The serialised DatasetManifest (protobuf), kept verbatim so signatures over it still verify. */
  readonly manifestBytes: Uint8Array;
  readonly merkleRoot: Uint8Array;
  /** The dataset key wrapped to the gateway's escrow key: Public and Internal encrypted data only (ARCHITECTURE §4). */
  readonly escrowedKey?: Uint8Array | undefined;
}

/** A dataset version as listed (no manifest, no key). */
export interface DatasetVersionSummary {
  readonly owner: string;
  readonly name: string;
  readonly version: number;
  readonly transferId: string;
  readonly merkleRoot: Uint8Array;
  readonly totalSize: number;
  /** Bytes of the chunks as stored (after compression and encryption). */
  readonly storedSize: number;
  readonly numChunks: number;
  readonly chunkSize: number;
  readonly classification: Classification;
  readonly codec: Codec;
  readonly encrypted: boolean;
  readonly keyEscrowed: boolean;
  readonly status: DatasetStatus;
  readonly createdAt: Date;
  /** How the version is handled (docs/data-policy.md); `policy.classification` is `classification` as people type it. */
  readonly policy: DataPolicy;
  /** When the expiry sweeper deletes the version (createdAt + policy.expireAfterDays); undefined: never. */
  readonly expiresAt: Date | undefined;
}

/** One dataset version with its manifest and escrowed key. */
export interface DatasetVersionRecord extends DatasetVersionSummary {
  readonly manifestBytes: Uint8Array;
  readonly escrowedKey: Uint8Array | undefined;
}

/** What {@link DatasetRepository.setPolicy} changed. */
export interface PolicyChange {
  /** The policy before the change. */
  readonly before: DataPolicy;
  /** The version with its new policy. */
  readonly version: DatasetVersionRecord;
}

/** One version the expiry sweeper deleted. */
export interface ExpiredVersion {
  readonly owner: string;
  readonly name: string;
  readonly version: number;
  readonly expiresAt: Date;
}

/** What {@link DatasetRepository.deleteExpired} did. */
export interface ExpiryResult {
  readonly deleted: ExpiredVersion[];
  /** Chunk digests no version references any more: their blobs are the caller's to delete. */
  readonly unreferencedDigests: Uint8Array[];
}

/** Datasets and their immutable versions. */
export interface DatasetRepository {
  /**
   * Commits a transfer whose chunks are all recorded as the next version of `owner/name`
   * (created on first commit), and marks the transfer `completed`, atomically. Version numbers
   * are allocated under a row lock: concurrent commits of one name get distinct, increasing
   * numbers, and numbers are never reused.
   * @throws StoreError `invalid_argument` (malformed input; an escrowed key for data that is not
   *   encrypted Public or Internal data), `not_found` (unknown owner or transfer, or the transfer
   *   belongs to someone else), `already_exists` (transfer already committed), `conflict`
   *   (missing chunks, a Merkle root other than the declared one, a failed or cancelled transfer).
   */
  createVersion(version: NewDatasetVersion): Promise<DatasetVersionRecord>;
  /** The owner's datasets, newest version of each, by name. */
  list(owner: string): Promise<DatasetVersionSummary[]>;
  /**
   * One version, the newest when `version` is omitted.
   * @throws StoreError `invalid_argument`, `not_found`.
   */
  get(owner: string, name: string, version?: number): Promise<DatasetVersionRecord>;
  /**
   * Every version of one dataset, newest first.
   * @throws StoreError `invalid_argument`, `not_found` (no such dataset).
   */
  versions(owner: string, name: string): Promise<DatasetVersionSummary[]>;
  /** @throws StoreError `invalid_argument`, `not_found`. */
  setStatus(owner: string, name: string, version: number, status: DatasetStatus): Promise<void>;
  /**
   * Deletes one version, or the whole dataset when `version` is omitted, with the transfers and
   * chunk records behind them.
   *
   * Blob deletion is the caller's, after this returns. A digest reported here can be uploaded
   * again concurrently (content addressing shares blobs); an upload path that records a chunk
   * whose blob another request is deleting must re-put the blob, so callers delete blobs under
   * the same per-digest serialisation as puts, or re-check `has()` after recording.
   * @throws StoreError `invalid_argument`, `not_found`.
   */
  delete(owner: string, name: string, version?: number): Promise<DeleteResult>;
  /**
   * Replaces one version's policy (the newest when `version` is omitted) and its classification
   * with `policy`'s, atomically. The version's data never changes: a policy its stored form
   * breaks (unencrypted data where encryption is required, an escrowed key where escrow is not
   * allowed) is refused and nothing changes.
   * @throws StoreError `invalid_argument` (a malformed or loosened policy: "CYXW_ERR_POLICY:
   *   <field>: …"), `not_found`, `conflict` ("CYXW_ERR_POLICY_VIOLATION: …").
   */
  setPolicy(owner: string, name: string, version: number | undefined, policy: DataPolicy): Promise<PolicyChange>;
  /**
   * Deletes up to `limit` versions whose expiry time is at or before `now`, oldest expiry first,
   * with their transfers and chunk records (as {@link delete} does for one version). A dataset
   * left without versions keeps its row, so its numbers are never reused.
   */
  deleteExpired(now: Date, limit: number): Promise<ExpiryResult>;
}

/** The version columns listings return: everything but the manifest and the key itself. */
const summaryColumns = `d.owner, d.name, v.version, v.transfer_id, v.merkle_root, v.total_size, v.stored_size,
  v.num_chunks, v.chunk_size, v.classification, v.codec, v.encrypted, (v.escrowed_key IS NOT NULL) AS key_escrowed,
  v.status, v.created_at, ${policyColumns}`;

function toSummary(r: Row): DatasetVersionSummary {
  return {
    owner: String(r.owner),
    name: String(r.name),
    version: num(r.version),
    transferId: String(r.transfer_id),
    merkleRoot: bytes(r.merkle_root),
    totalSize: num(r.total_size),
    storedSize: num(r.stored_size),
    numChunks: num(r.num_chunks),
    chunkSize: num(r.chunk_size),
    classification: r.classification as Classification,
    codec: r.codec as Codec,
    encrypted: r.encrypted === true,
    keyEscrowed: r.key_escrowed === true,
    status: r.status as DatasetStatus,
    createdAt: date(r.created_at),
    policy: policyOfRow(r),
    expiresAt: r.expires_at === null || r.expires_at === undefined ? undefined : date(r.expires_at),
  };
}

function toVersion(r: Row): DatasetVersionRecord {
  return { ...toSummary(r), manifestBytes: bytes(r.manifest), escrowedKey: optionalBytes(r.escrowed_key) };
}

/** The datasets repository over `db`. */
export function createDatasetRepository(db: SqlDriver): DatasetRepository {
  async function getVersion(
    q: SqlQueryable,
    owner: string,
    name: string,
    version?: number,
  ): Promise<DatasetVersionRecord> {
    const { rows } = await q.query(
      `SELECT ${summaryColumns}, v.manifest, v.escrowed_key
       FROM datasets d JOIN dataset_versions v ON v.dataset_id = d.id
       WHERE d.owner = $1 AND d.name = $2 AND ($3::integer IS NULL OR v.version = $3)
       ORDER BY v.version DESC LIMIT 1`,
      [owner, name, version ?? null],
    );
    if (rows[0] === undefined) {
      throw notFound(`dataset ${owner}/${name}${version === undefined ? "" : `@v${version}`} not found`);
    }
    return toVersion(rows[0]);
  }

  return {
    async createVersion(v) {
      const owner = checkUsername(v.owner, "owner");
      const name = checkDatasetName(v.name);
      const transferId = checkTransferId(v.transferId, "transferId");
      const manifest = checkByteString(v.manifestBytes, "manifestBytes", maxManifestBytes);
      if (manifest.length === 0) throw new StoreError("invalid_argument", "manifestBytes must not be empty");
      const merkleRoot = checkBytes(v.merkleRoot, "merkleRoot", 32);
      const escrowedKey =
        v.escrowedKey === undefined ? null : checkByteString(v.escrowedKey, "escrowedKey", maxEscrowedKeyBytes);
      if (escrowedKey !== null && escrowedKey.length === 0) {
        throw new StoreError("invalid_argument", "escrowedKey must not be empty (omit it instead)");
      }
      return db.transaction(async (tx) => {
        // Lock order, here and in delete(): the dataset row, then the transfer row. The upsert
        // takes the dataset row's lock and allocates the number; a second commit of the same
        // name waits here until the first commits, then gets the next number. An error below
        // rolls the allocation back with everything else.
        let datasetId: number;
        let version: number;
        try {
          const { rows } = await tx.query(
            `INSERT INTO datasets (owner, name, last_version) VALUES ($1, $2, 1)
             ON CONFLICT (owner, name) DO UPDATE SET last_version = datasets.last_version + 1
             RETURNING id, last_version`,
            [owner, name],
          );
          datasetId = num(rows[0]?.id);
          version = num(rows[0]?.last_version);
        } catch (e) {
          throw mapWriteError(e, { foreignKey: `user ${owner} not found` });
        }
        const { rows: transferRows } = await tx.query("SELECT * FROM transfers WHERE id = $1 FOR UPDATE", [transferId]);
        if (transferRows[0] === undefined || transferRows[0].owner !== owner) {
          throw notFound(`transfer ${transferId} not found for ${owner}`);
        }
        const t = toTransfer(transferRows[0]);
        if (t.state === "completed")
          throw new StoreError("already_exists", `transfer ${transferId} is already committed`);
        if (finishedStates.has(t.state)) throw new StoreError("conflict", `transfer ${transferId} is ${t.state}`);
        if (t.merkleRoot !== undefined && !sameBytes(t.merkleRoot, merkleRoot)) {
          throw new StoreError("conflict", `the Merkle root differs from the one transfer ${transferId} declared`);
        }
        if (
          escrowedKey !== null &&
          !(t.encrypted && (t.classification === "public" || t.classification === "internal"))
        ) {
          throw new StoreError(
            "invalid_argument",
            `a dataset key may be escrowed only for encrypted Public or Internal data; this is ${t.encrypted ? "" : "unencrypted "}${t.classification}`,
          );
        }
        const { rows: countRows } = await tx.query(
          "SELECT count(*) AS n, coalesce(sum(stored_size), 0) AS stored FROM transfer_chunks WHERE transfer_id = $1",
          [transferId],
        );
        const recorded = num(countRows[0]?.n);
        if (recorded !== t.numChunks) {
          throw new StoreError(
            "conflict",
            `transfer ${transferId} has ${recorded} of its ${t.numChunks} chunks stored`,
          );
        }
        // A new version starts with its level's defaults (docs/data-policy.md).
        const policy = defaultPolicyOf(t.classification);
        const policyPlaceholders = policyColumnNames.map((_, i) => `$${14 + i}`);
        await tx.query(
          `INSERT INTO dataset_versions (dataset_id, version, transfer_id, manifest, merkle_root, total_size, stored_size,
             num_chunks, chunk_size, classification, codec, encrypted, escrowed_key, ${policyColumnNames.join(", ")},
             expires_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, ${policyPlaceholders.join(", ")},
             CASE WHEN $21::integer IS NULL THEN NULL ELSE ${expiresAtSql("now()", "$21")} END)`,
          [
            datasetId,
            version,
            transferId,
            manifest,
            merkleRoot,
            t.totalSize,
            num(countRows[0]?.stored),
            t.numChunks,
            t.chunkSize,
            t.classification,
            t.compression,
            t.encrypted,
            escrowedKey,
            ...policyParams(policy),
          ],
        );
        await tx.query("UPDATE transfers SET state = 'completed', updated_at = now() WHERE id = $1", [transferId]);
        return getVersion(tx, owner, name, version);
      });
    },

    async list(owner) {
      const { rows } = await db.query(
        `SELECT * FROM (
           SELECT DISTINCT ON (d.id) ${summaryColumns}
           FROM datasets d JOIN dataset_versions v ON v.dataset_id = d.id
           WHERE d.owner = $1
           ORDER BY d.id, v.version DESC
         ) newest ORDER BY name`,
        [checkUsername(owner, "owner")],
      );
      return rows.map(toSummary);
    },

    async get(owner, name, version) {
      return getVersion(
        db,
        checkUsername(owner, "owner"),
        checkDatasetName(name),
        version === undefined ? undefined : checkInteger(version, "version", 1, maxInt32),
      );
    },

    async versions(owner, given) {
      checkUsername(owner, "owner");
      const name = checkDatasetName(given);
      return db.transaction(async (tx) => {
        const ds = await tx.query("SELECT 1 FROM datasets WHERE owner = $1 AND name = $2", [owner, name]);
        if (ds.rows.length === 0) throw notFound(`dataset ${owner}/${name} not found`);
        const { rows } = await tx.query(
          `SELECT ${summaryColumns} FROM datasets d JOIN dataset_versions v ON v.dataset_id = d.id
           WHERE d.owner = $1 AND d.name = $2 ORDER BY v.version DESC`,
          [owner, name],
        );
        return rows.map(toSummary);
      });
    },

    async setStatus(owner, given, version, status) {
      const name = checkDatasetName(given);
      const { rowCount } = await db.query(
        `UPDATE dataset_versions v SET status = $4 FROM datasets d
         WHERE d.id = v.dataset_id AND d.owner = $1 AND d.name = $2 AND v.version = $3`,
        [
          checkUsername(owner, "owner"),
          name,
          checkInteger(version, "version", 1, maxInt32),
          checkOneOf(status, "status", datasetStatuses),
        ],
      );
      if (rowCount === 0) throw notFound(`dataset ${owner}/${name}@v${version} not found`);
    },

    async delete(owner, given, version) {
      checkUsername(owner, "owner");
      const name = checkDatasetName(given);
      if (version !== undefined) checkInteger(version, "version", 1, maxInt32);
      return db.transaction(async (tx) => {
        const ds = await tx.query("SELECT id FROM datasets WHERE owner = $1 AND name = $2 FOR UPDATE", [owner, name]);
        if (ds.rows[0] === undefined) throw notFound(`dataset ${owner}/${name} not found`);
        const datasetId = num(ds.rows[0].id);
        const { rows } = await tx.query(
          `DELETE FROM dataset_versions WHERE dataset_id = $1 AND ($2::integer IS NULL OR version = $2) RETURNING transfer_id`,
          [datasetId, version ?? null],
        );
        if (version !== undefined && rows.length === 0)
          throw notFound(`dataset ${owner}/${name}@v${version} not found`);
        // Deleting one version keeps the dataset row, so its numbers are never handed out again;
        // deleting the dataset frees the name (a new upload starts a new history at v1).
        if (version === undefined) await tx.query("DELETE FROM datasets WHERE id = $1", [datasetId]);
        const unreferencedDigests = await releaseTransfers(
          tx,
          rows.map((r) => String(r.transfer_id)),
        );
        return { versionsDeleted: rows.length, unreferencedDigests };
      });
    },
    async setPolicy(owner, given, version, policy) {
      checkUsername(owner, "owner");
      const name = checkDatasetName(given);
      if (version !== undefined) checkInteger(version, "version", 1, maxInt32);
      const wanted = checkStoredPolicy(policy);
      return db.transaction(async (tx) => {
        // The version row locked: a concurrent change of the same version waits for this one.
        const { rows } = await tx.query(
          `SELECT v.dataset_id, v.version, v.classification, v.encrypted, (v.escrowed_key IS NOT NULL) AS key_escrowed,
             ${policyColumns}
           FROM datasets d JOIN dataset_versions v ON v.dataset_id = d.id
           WHERE d.owner = $1 AND d.name = $2 AND ($3::integer IS NULL OR v.version = $3)
           ORDER BY v.version DESC LIMIT 1 FOR UPDATE OF v`,
          [owner, name, version ?? null],
        );
        const row = rows[0];
        if (row === undefined) {
          throw notFound(`dataset ${owner}/${name}${version === undefined ? "" : `@v${version}`} not found`);
        }
        const number = num(row.version);
        const violations = policyViolations(wanted, {
          encrypted: row.encrypted === true,
          keyEscrowed: row.key_escrowed === true,
        });
        if (violations.length > 0) {
          throw new StoreError(
            "conflict",
            `CYXW_ERR_POLICY_VIOLATION: ${name}@v${number}: ${violations.map((v) => v.message).join("; ")}`,
          );
        }
        const sets = policyColumnNames.map((c, i) => `${c} = $${4 + i}`);
        await tx.query(
          `UPDATE dataset_versions SET classification = $3, ${sets.join(", ")},
             expires_at = CASE WHEN $11::integer IS NULL THEN NULL ELSE ${expiresAtSql("created_at", "$11")} END
           WHERE dataset_id = $1 AND version = $2`,
          [row.dataset_id, number, storedClassificationOf(wanted.classification), ...policyParams(wanted)],
        );
        return { before: policyOfRow(row), version: await getVersion(tx, owner, name, number) };
      });
    },

    async deleteExpired(now, limit) {
      if (!(now instanceof Date) || Number.isNaN(now.getTime())) {
        throw new StoreError("invalid_argument", "now must be a valid Date");
      }
      checkInteger(limit, "limit", 1, 10_000);
      return db.transaction(async (tx) => {
        // Lock order as in delete(): the dataset rows first, then the versions and transfers.
        const { rows: due } = await tx.query(
          `SELECT d.id AS dataset_id, d.owner, d.name, v.version, v.expires_at
           FROM dataset_versions v JOIN datasets d ON d.id = v.dataset_id
           WHERE v.expires_at IS NOT NULL AND v.expires_at <= $1
           ORDER BY v.expires_at, d.id, v.version LIMIT $2
           FOR UPDATE OF d`,
          [now, limit],
        );
        if (due.length === 0) return { deleted: [], unreferencedDigests: [] };
        const { rows: gone } = await tx.query(
          `DELETE FROM dataset_versions v USING unnest($1::bigint[], $2::integer[]) AS x(dataset_id, version)
           WHERE v.dataset_id = x.dataset_id AND v.version = x.version AND v.expires_at <= $3
           RETURNING v.dataset_id, v.version, v.transfer_id`,
          [due.map((r) => String(r.dataset_id)), due.map((r) => num(r.version)), now],
        );
        const deletedKeys = new Set(gone.map((r) => `${num(r.dataset_id)}@${num(r.version)}`));
        const unreferencedDigests = await releaseTransfers(
          tx,
          gone.map((r) => String(r.transfer_id)),
        );
        return {
          deleted: due
            .filter((r) => deletedKeys.has(`${num(r.dataset_id)}@${num(r.version)}`))
            .map((r) => ({
              owner: String(r.owner),
              name: String(r.name),
              version: num(r.version),
              expiresAt: date(r.expires_at),
            })),
          unreferencedDigests,
        };
      });
    },
  };
}
