import { CODEC_NAMES, type CodecName, STORED_CLASSIFICATIONS, type StoredClassification } from "@cyxwiz/protocol/vocab";
import {
  checkBoolean,
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

/**
 * Data classification (seed §4.3), lowercase as stored. The list lives in @cyxwiz/protocol/vocab;
 * the SQL domain data_classification repeats it (vocab-constraints.test.ts checks they agree).
 */
export const classifications: readonly StoredClassification[] = STORED_CLASSIFICATIONS;
export type Classification = StoredClassification;

/** Compression codec of a dataset's chunks, as stored (@cyxwiz/protocol/vocab; SQL domain compression_codec). */
export const codecs: readonly CodecName[] = CODEC_NAMES;
export type Codec = CodecName;

/** The seed's TransferState (seed §5.2), lowercase as stored. */
export const transferStates = ["pending", "in_progress", "verifying", "completed", "failed", "cancelled"] as const;
export type TransferState = (typeof transferStates)[number];

/** States after which a transfer changes no more. */
export const finishedStates: ReadonlySet<TransferState> = new Set(["completed", "failed", "cancelled"]);
/** The finished states as an SQL list of literals (constants of this module, never input). */
const FINISHED_STATES_SQL = [...finishedStates].map((state) => `'${state}'`).join(", ");

/** What an upload declares when it starts (seed §5.2 InitiateTransfer). */
export interface NewTransfer {
  readonly id: string;
  readonly owner: string;
  /** The dataset name the upload is meant to become. */
  readonly name: string;
  readonly classification: Classification;
  readonly numChunks: number;
  /** Bytes per chunk before compression and encryption. */
  readonly chunkSize: number;
  /** Bytes of the whole dataset before compression and encryption. */
  readonly totalSize: number;
  /**
   * Each chunk's plaintext bytes, for a dataset of samples cut at sample boundaries; absent for
   * fixed chunks of `chunkSize` (transferChunkLayout in @cyxwiz/protocol/chunk reads both).
   */
  readonly chunkPlainSizes?: readonly number[] | undefined;
  /** The Merkle root, when the client declared it up front; commit must then match it. */
  readonly merkleRoot?: Uint8Array | undefined;
  readonly encrypted: boolean;
  readonly compression: Codec;
}

/** A stored transfer. */
export interface TransferRecord extends Omit<NewTransfer, "merkleRoot"> {
  readonly merkleRoot: Uint8Array | undefined;
  readonly state: TransferState;
  readonly createdAt: Date;
  /** When the state last changed. */
  readonly updatedAt: Date;
}

/** One stored chunk of a transfer: its digest is the SHA-256 of the bytes as stored (ARCHITECTURE §4). */
export interface ChunkRecord {
  readonly index: number;
  readonly digest: Uint8Array;
  readonly storedSize: number;
}

/**
 * What a deletion removed. `unreferencedDigests` are the chunk digests that no remaining dataset
 * version or transfer refers to any more: the caller deletes those blobs.
 */
export interface DeleteResult {
  readonly versionsDeleted: number;
  readonly unreferencedDigests: Uint8Array[];
}

/** What a user's data takes against their quota (docs/upload-protocol.md §1). */
export interface StorageUsage {
  /** Bytes as stored (after compression and encryption) of the owner's committed dataset versions. */
  readonly committedBytes: number;
  /**
   * The owner's unfinished transfers (pending, in progress, verifying), oldest first: each may
   * still store up to what it declared. Cancelled, failed and deleted transfers take nothing.
   */
  readonly unfinished: readonly TransferRecord[];
}

/** Options of {@link TransferRepository.create}. */
export interface CreateTransferOptions {
  /**
   * Decides whether the owner may start this transfer given what their data takes now; throws
   * to refuse (the error propagates as thrown, and nothing is recorded). Called while the
   * owner's other creations wait, so two concurrent uploads cannot both slip under a quota.
   */
  readonly admit?: (usage: StorageUsage) => void;
}

/** Uploads and their recorded chunks. */
export interface TransferRepository {
  /**
   * Records a new upload in state `pending`.
   * @throws StoreError `invalid_argument`, `not_found` (unknown owner), `already_exists` (id
   *   taken); or what `options.admit` threw.
   */
  create(transfer: NewTransfer, options?: CreateTransferOptions): Promise<TransferRecord>;
  /**
   * What `owner`'s data takes: their committed versions' stored bytes and their unfinished transfers.
   * @throws StoreError `invalid_argument` for a malformed username.
   */
  usage(owner: string): Promise<StorageUsage>;
  /** @throws StoreError `invalid_argument`, `not_found`. */
  get(id: string): Promise<TransferRecord>;
  /**
   * Records that chunk `index` is stored with this digest and stored size. Idempotent: recording
   * the same chunk again is a no-op that reports `duplicate: true` (a resent frame, seed §5.2).
   * @throws StoreError `invalid_argument` (index beyond the declared chunk count, bad digest),
   *   `not_found`, `conflict` when the index is already recorded with a different digest or
   *   size, or when the transfer is finished.
   */
  recordChunk(
    transferId: string,
    index: number,
    digest: Uint8Array,
    storedSize: number,
  ): Promise<{ duplicate: boolean }>;
  /**
   * The recorded chunks, by ascending index.
   * @throws StoreError `invalid_argument`, `not_found`.
   */
  chunks(transferId: string): Promise<ChunkRecord[]>;
  /**
   * Moves a transfer to another state. A finished transfer (completed, failed, cancelled) keeps
   * its state; `completed` is reached only by committing it ({@link DatasetRepository.createVersion}).
   * Setting the current state again is a no-op.
   * @throws StoreError `invalid_argument`, `not_found`, `conflict`.
   */
  setState(id: string, state: TransferState): Promise<TransferRecord>;
  /**
   * Deletes an uncommitted transfer (abandoned, failed, cancelled) and its chunk records.
   * @throws StoreError `invalid_argument`, `not_found`, `conflict` when a dataset version uses it.
   */
  delete(id: string): Promise<DeleteResult>;
  /**
   * Whether any transfer (committed or not) has a chunk with this digest: a blob is needed
   * exactly while this is true.
   * @throws StoreError `invalid_argument` for a digest that is not 32 bytes.
   */
  isDigestReferenced(digest: Uint8Array): Promise<boolean>;
}

/** A transfers row as a TransferRecord. */
export function toTransfer(r: Row): TransferRecord {
  return {
    id: String(r.id),
    owner: String(r.owner),
    name: String(r.name),
    state: r.state as TransferState,
    classification: r.classification as Classification,
    numChunks: num(r.num_chunks),
    chunkSize: num(r.chunk_size),
    totalSize: num(r.total_size),
    chunkPlainSizes: u32List(optionalBytes(r.chunk_plain_sizes)),
    merkleRoot: optionalBytes(r.merkle_root),
    encrypted: r.encrypted === true,
    compression: r.compression as Codec,
    createdAt: date(r.created_at),
    updatedAt: date(r.updated_at),
  };
}

/**
 * Deletes the given transfers and their chunk records; returns the digests no remaining chunk
 * record refers to. One statement finds them: the CTE's DELETE is not visible to its own query,
 * hence the explicit exclusion of the deleted transfers.
 */
export async function releaseTransfers(tx: SqlQueryable, transferIds: string[]): Promise<Uint8Array[]> {
  if (transferIds.length === 0) return [];
  const { rows } = await tx.query(
    `WITH gone AS (DELETE FROM transfer_chunks WHERE transfer_id = ANY($1::text[]) RETURNING digest)
     SELECT DISTINCT g.digest FROM gone g
     WHERE NOT EXISTS (
       SELECT 1 FROM transfer_chunks c WHERE c.digest = g.digest AND c.transfer_id <> ALL($1::text[])
     )`,
    [transferIds],
  );
  await tx.query("DELETE FROM transfers WHERE id = ANY($1::text[])", [transferIds]);
  return rows.map((r) => bytes(r.digest));
}

/** The transfers repository over `db`. */
export function createTransferRepository(db: SqlDriver): TransferRepository {
  async function get(q: SqlQueryable, id: string, lock = ""): Promise<TransferRecord> {
    const { rows } = await q.query(`SELECT * FROM transfers WHERE id = $1 ${lock}`, [id]);
    if (rows[0] === undefined) throw notFound(`transfer ${id} not found`);
    return toTransfer(rows[0]);
  }

  async function usageOf(q: SqlQueryable, owner: string): Promise<StorageUsage> {
    const committed = await q.query(
      `SELECT coalesce(sum(v.stored_size), 0) AS bytes
       FROM dataset_versions v JOIN datasets d ON d.id = v.dataset_id WHERE d.owner = $1`,
      [owner],
    );
    const unfinished = await q.query(
      `SELECT * FROM transfers WHERE owner = $1 AND state NOT IN (${FINISHED_STATES_SQL}) ORDER BY created_at, id`,
      [owner],
    );
    return { committedBytes: num(committed.rows[0]?.bytes ?? 0), unfinished: unfinished.rows.map(toTransfer) };
  }

  return {
    async isDigestReferenced(digest) {
      checkBytes(digest, "digest", 32);
      const { rows } = await db.query("SELECT 1 FROM transfer_chunks WHERE digest = $1 LIMIT 1", [digest]);
      return rows.length > 0;
    },

    usage: async (owner) => usageOf(db, checkUsername(owner, "owner")),

    async create(t, options = {}) {
      const id = checkTransferId(t.id);
      const values = [
        id,
        checkUsername(t.owner, "owner"),
        checkDatasetName(t.name),
        checkOneOf(t.classification, "classification", classifications),
        checkInteger(t.numChunks, "numChunks", 0, maxInt32),
        checkInteger(t.chunkSize, "chunkSize", 1, maxInt32),
        checkInteger(t.totalSize, "totalSize", 0, Number.MAX_SAFE_INTEGER),
        t.merkleRoot === undefined ? null : checkBytes(t.merkleRoot, "merkleRoot", 32),
        checkBoolean(t.encrypted, "encrypted"),
        checkOneOf(t.compression, "compression", codecs),
        t.chunkPlainSizes === undefined ? null : u32Bytes(checkPlainSizes(t.chunkPlainSizes, t.numChunks)),
      ];
      const insert = async (q: SqlQueryable) => {
        try {
          const { rows } = await q.query(
            `INSERT INTO transfers (id, owner, name, classification, num_chunks, chunk_size, total_size, merkle_root, encrypted, compression, chunk_plain_sizes)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING *`,
            values,
          );
          return toTransfer(rows[0] as Row);
        } catch (e) {
          throw mapWriteError(e, { unique: `transfer ${id} already exists`, foreignKey: `user ${t.owner} not found` });
        }
      };
      const admit = options.admit;
      if (admit === undefined) return insert(db);
      return db.transaction(async (tx) => {
        // The owner's row is the lock that makes usage-then-insert one step: a second creation by
        // the same owner waits here and then sees this transfer. (NO KEY UPDATE: the foreign-key
        // checks of other inserts, which take KEY SHARE on the row, are not held up.)
        const owner = await tx.query("SELECT 1 FROM users WHERE username = $1 FOR NO KEY UPDATE", [t.owner]);
        if (owner.rows.length === 0) throw notFound(`user ${t.owner} not found`);
        admit(await usageOf(tx, t.owner));
        return insert(tx);
      });
    },

    get: async (id) => get(db, checkTransferId(id)),

    async recordChunk(transferId, index, digest, storedSize) {
      const id = checkTransferId(transferId, "transferId");
      checkInteger(index, "index", 0, maxInt32);
      checkBytes(digest, "digest", 32);
      checkInteger(storedSize, "storedSize", 0, maxInt32);
      const compare = (r: Row | undefined): { duplicate: boolean } => {
        if (r === undefined || !sameBytes(bytes(r.digest), digest) || num(r.stored_size) !== storedSize) {
          throw new StoreError(
            "conflict",
            `chunk ${index} of transfer ${id} is already recorded with a different digest`,
          );
        }
        return { duplicate: true };
      };
      // One statement (one round trip, its own transaction): the transfer row is read FOR SHARE, so
      // concurrent chunk records proceed together while a commit (FOR UPDATE) waits for them and
      // counts every chunk recorded before it; the insert happens only for an index in range of an
      // unfinished transfer; the row already recorded at that index, if any, comes back to compare.
      const { rows } = await db.query(
        `WITH t AS (SELECT num_chunks, state FROM transfers WHERE id = $1 FOR SHARE),
         ins AS (
           INSERT INTO transfer_chunks (transfer_id, chunk_index, digest, stored_size)
           SELECT $1, $2::integer, $3::bytea, $4::integer FROM t
           WHERE $2::integer < t.num_chunks AND t.state NOT IN (${FINISHED_STATES_SQL})
           ON CONFLICT (transfer_id, chunk_index) DO NOTHING
           RETURNING 1
         )
         SELECT t.num_chunks, t.state, (SELECT count(*) FROM ins)::integer AS inserted, c.digest, c.stored_size
         FROM t LEFT JOIN transfer_chunks c ON c.transfer_id = $1 AND c.chunk_index = $2::integer`,
        [id, index, digest, storedSize],
      );
      const r = rows[0] as Row | undefined;
      if (r === undefined) throw notFound(`transfer ${id} not found`);
      const numChunks = num(r.num_chunks);
      if (index >= numChunks) {
        throw new StoreError("invalid_argument", `index ${index} is beyond transfer ${id}'s ${numChunks} chunks`);
      }
      if (num(r.inserted) === 1) return { duplicate: false };
      if (r.digest !== null && r.digest !== undefined) return compare(r);
      const state = String(r.state) as TransferState;
      if (finishedStates.has(state)) {
        throw new StoreError("conflict", `transfer ${id} is ${state}; it takes no more chunks`);
      }
      // Not inserted and not there when the statement began: a concurrent call recorded this index
      // in between (ON CONFLICT saw its row); compare with what it stored.
      const again = await db.query(
        "SELECT digest, stored_size FROM transfer_chunks WHERE transfer_id = $1 AND chunk_index = $2",
        [id, index],
      );
      return compare(again.rows[0] as Row | undefined);
    },

    async chunks(transferId) {
      const id = checkTransferId(transferId, "transferId");
      return db.transaction(async (tx) => {
        await get(tx, id);
        const { rows } = await tx.query(
          "SELECT chunk_index, digest, stored_size FROM transfer_chunks WHERE transfer_id = $1 ORDER BY chunk_index",
          [id],
        );
        return rows.map((r) => ({
          index: num(r.chunk_index),
          digest: bytes(r.digest),
          storedSize: num(r.stored_size),
        }));
      });
    },

    async setState(transferId, state) {
      const id = checkTransferId(transferId);
      checkOneOf(state, "state", transferStates);
      if (state === "completed") {
        throw new StoreError("invalid_argument", "a transfer completes by being committed (datasets.createVersion)");
      }
      return db.transaction(async (tx) => {
        const t = await get(tx, id, "FOR UPDATE");
        if (t.state === state) return t;
        if (finishedStates.has(t.state))
          throw new StoreError("conflict", `transfer ${id} is ${t.state}; its state is final`);
        const { rows } = await tx.query(
          "UPDATE transfers SET state = $2, updated_at = now() WHERE id = $1 RETURNING *",
          [id, state],
        );
        return toTransfer(rows[0] as Row);
      });
    },

    async delete(transferId) {
      const id = checkTransferId(transferId);
      return db.transaction(async (tx) => {
        await get(tx, id, "FOR UPDATE");
        const used = await tx.query("SELECT 1 FROM dataset_versions WHERE transfer_id = $1", [id]);
        if (used.rows.length > 0) {
          throw new StoreError("conflict", `transfer ${id} is a dataset version's; delete the version instead`);
        }
        return { versionsDeleted: 0, unreferencedDigests: await releaseTransfers(tx, [id]) };
      });
    },
  };
}

/** Checks a list of per-chunk plain sizes: one u32 per chunk. */
function checkPlainSizes(sizes: readonly number[], numChunks: number): readonly number[] {
  if (sizes.length !== numChunks)
    throw new StoreError("invalid_argument", `chunkPlainSizes lists ${sizes.length} sizes for ${numChunks} chunks`);
  sizes.forEach((size, i) => {
    checkInteger(size, `chunkPlainSizes[${i}]`, 0, 0xffff_ffff);
  });
  return sizes;
}

/** Sizes as consecutive big-endian u32s (the chunk_plain_sizes column, 0003_sample_layout.sql). */
function u32Bytes(sizes: readonly number[]): Uint8Array {
  const bytes = new Uint8Array(sizes.length * 4);
  const view = new DataView(bytes.buffer);
  sizes.forEach((size, i) => {
    view.setUint32(i * 4, size);
  });
  return bytes;
}

function u32List(bytes: Uint8Array | undefined): number[] | undefined {
  if (bytes === undefined) return undefined;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return Array.from({ length: bytes.length / 4 }, (_, i) => view.getUint32(i * 4));
}
