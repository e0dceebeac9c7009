import type { TransferState, TransferStateStore } from "@cyxwiz/client";
import type { FileIdentity } from "./file-identity.js";
import type { UploadChoices } from "./upload-choices.js";

/** The database that keeps unfinished uploads (and their dataset keys) in this browser. */
export const UPLOADS_DB_NAME = "cyxwiz-uploads";
const DB_VERSION = 1;
const STORE = "uploads";

/**
 * One upload as this browser remembers it, so that it survives a page reload
 * (docs/upload-protocol.md §1.2, §3): who started it against which gateway, the file it was
 * made from (to check the file the user chooses again), the owner's choices, the dataset key,
 * and, once the gateway accepted the transfer, the upload engine's `TransferState`.
 *
 * The record is created before the first request and deleted once the upload is committed,
 * cancelled or discarded; the engine only ever replaces or clears its `state`.
 */
export interface UploadRecord {
  /** The upload's id in this browser; also the engine's `stateKey`. */
  readonly key: string;
  /** The username that started it; only that user is offered to resume it. */
  readonly owner: string;
  /** The gateway's base URL. */
  readonly gateway: string;
  readonly file: FileIdentity;
  /** Every file of a dataset read from several files (a folder, IDX images and labels); `file` is the first. */
  readonly files?: readonly FileIdentity[];
  readonly choices: UploadChoices;
  /** The dataset key (DEK), base64, for encrypted uploads: generated in this browser, never sent unwrapped. */
  readonly datasetKey?: string;
  /** When the upload was started here (ISO 8601). */
  readonly createdAt: string;
  /** The engine's resume state, once InitiateTransfer has answered. */
  readonly state?: TransferState;
}

/** The upload's own fields, without the engine's state. */
export type UploadRecordMeta = Omit<UploadRecord, "state">;

/**
 * A {@link TransferStateStore} in IndexedDB, plus what the dashboard needs to list and resume
 * unfinished uploads after a reload. Works in pages and in workers (both have IndexedDB); every
 * method is one transaction, so the page and the upload worker may use the database at once.
 *
 * `delete` (the engine's "forget this transfer") clears only the state: the record, with the
 * file's identity and the dataset key, stays until {@link IdbTransferStateStore.remove}. This
 * lets the engine discard a stale transfer and start a new one under the same key without
 * losing the key the owner may already have exported.
 */
export interface IdbTransferStateStore extends TransferStateStore {
  /** Creates or updates a record's own fields, keeping any state the engine saved. */
  put(meta: UploadRecordMeta): Promise<void>;
  get(key: string): Promise<UploadRecord | undefined>;
  /** The records of `owner` at `gateway`, oldest first. Records without meta (never `put`) are not listed. */
  list(owner: string, gateway: string): Promise<UploadRecord[]>;
  /** Deletes the record and everything in it, the dataset key included (no error when absent). */
  remove(key: string): Promise<void>;
  /** Closes the database connection. */
  close(): void;
}

/**
 * Opens (creating on first use) the uploads database.
 *
 * @param factory the `IDBFactory` (default: the global `indexedDB`).
 * @throws Error when the browser has no IndexedDB or refuses to open it (private browsing in some
 *   browsers, storage disabled); the message says uploads cannot be resumed after a reload.
 */
export async function openIdbTransferStateStore(
  factory: IDBFactory | undefined = globalThis.indexedDB,
): Promise<IdbTransferStateStore> {
  if (factory === undefined)
    throw new Error("this browser has no IndexedDB, so uploads cannot be resumed after a reload");
  const db = await new Promise<IDBDatabase>((resolve, reject) => {
    const request = factory.open(UPLOADS_DB_NAME, DB_VERSION);
    request.onupgradeneeded = () => {
      if (!request.result.objectStoreNames.contains(STORE)) request.result.createObjectStore(STORE, { keyPath: "key" });
    };
    request.onsuccess = () => resolve(request.result);
    request.onerror = () =>
      reject(new Error(`cannot open the uploads database: ${request.error?.message ?? "unknown error"}`));
    request.onblocked = () =>
      reject(new Error("the uploads database is blocked by another tab with an older version; close it and reload"));
  });

  /** Runs `body` in one transaction and resolves with its result once the transaction commits. */
  function transact<T>(
    mode: IDBTransactionMode,
    body: (store: IDBObjectStore, done: (value: T) => void) => void,
  ): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const tx = db.transaction(STORE, mode);
      let result: T | undefined;
      tx.oncomplete = () => resolve(result as T);
      tx.onerror = () => reject(new Error(`the uploads database failed: ${tx.error?.message ?? "unknown error"}`));
      tx.onabort = () =>
        reject(new Error(`the uploads database aborted a change: ${tx.error?.message ?? "no reason given"}`));
      body(tx.objectStore(STORE), (value) => {
        result = value;
      });
    });
  }

  /** Read-modify-write of one record in one transaction. */
  const update = (key: string, change: (old: UploadRecord | undefined) => UploadRecord | undefined) =>
    transact<void>("readwrite", (store) => {
      const read = store.get(key);
      read.onsuccess = () => {
        const next = change(read.result as UploadRecord | undefined);
        if (next !== undefined) store.put(next);
      };
    });

  return {
    load: (key) =>
      transact<TransferState | undefined>("readonly", (store, done) => {
        const read = store.get(key);
        read.onsuccess = () => done((read.result as UploadRecord | undefined)?.state);
      }),
    save: (key, state) =>
      // A record the dashboard never described still keeps the state: the store contract holds for any caller.
      update(key, (old) => ({ ...(old ?? ({ key } as UploadRecord)), state })),
    delete: (key) =>
      update(key, (old) => {
        if (old === undefined || old.state === undefined) return undefined;
        const { state: _forgotten, ...rest } = old;
        return rest;
      }),
    put: (meta) => update(meta.key, (old) => ({ ...meta, ...(old?.state === undefined ? {} : { state: old.state }) })),
    get: (key) =>
      transact<UploadRecord | undefined>("readonly", (store, done) => {
        const read = store.get(key);
        read.onsuccess = () => done(read.result as UploadRecord | undefined);
      }),
    list: async (owner, gateway) => {
      const all = await transact<UploadRecord[]>("readonly", (store, done) => {
        const read = store.getAll();
        read.onsuccess = () => done(read.result as UploadRecord[]);
      });
      return all
        .filter((r) => r.owner === owner && r.gateway === gateway && r.file !== undefined)
        .sort((a, b) => a.createdAt.localeCompare(b.createdAt));
    },
    remove: (key) => transact<void>("readwrite", (store) => void store.delete(key)),
    close: () => db.close(),
  };
}
