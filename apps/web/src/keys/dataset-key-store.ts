import { base64Decode, base64Encode } from "@bufbuild/protobuf/wire";

/** The database that keeps the dataset keys of committed encrypted uploads in this browser. */
export const DATASET_KEYS_DB_NAME = "cyxwiz-dataset-keys";
const DB_VERSION = 1;
const STORE = "keys";

/** Which dataset version a key belongs to: the gateway, its owner there, and the version's transfer. */
export interface DatasetKeyOwner {
  /** The gateway's base URL. */
  readonly gateway: string;
  /** The signed-in username that uploaded it. */
  readonly owner: string;
}

/** A saved key's description, without the key. */
export interface SavedDatasetKey extends DatasetKeyOwner {
  /** The version's transfer id (stable for the version's life, unlike a reused `name@vN`). */
  readonly transferId: string;
  /** `name@vN`, for people. */
  readonly ref: string;
  /** When it was saved (ISO 8601). */
  readonly savedAt: string;
}

interface KeyRecord extends SavedDatasetKey {
  readonly id: string;
  /** The dataset key (DEK), base64. */
  readonly datasetKey: string;
}

/**
 * The owner's dataset keys, kept after an encrypted upload commits so the datasets page can
 * download and decrypt the version in this browser (docs/threat-model.md: the owner's DEKs live
 * in IndexedDB and in the recovery-key file; the gateway never sees an unescrowed one). Works in
 * pages and workers; every method is one transaction. Open it for a task and close it after.
 */
export interface DatasetKeyStore {
  /** Saves (or replaces) the key of one version. The caller may zero `datasetKey` afterwards. */
  save(entry: Omit<SavedDatasetKey, "savedAt"> & { readonly datasetKey: Uint8Array }): Promise<void>;
  /** A copy of the key, or undefined when this browser does not hold it. */
  get(who: DatasetKeyOwner, transferId: string): Promise<Uint8Array | undefined>;
  /** The versions whose keys this browser holds for `who`, without the keys. */
  list(who: DatasetKeyOwner): Promise<SavedDatasetKey[]>;
  /** Forgets one version's key (no error when absent). */
  remove(who: DatasetKeyOwner, transferId: string): Promise<void>;
  close(): void;
}

const idOf = (who: DatasetKeyOwner, transferId: string) => JSON.stringify([who.gateway, who.owner, transferId]);

/**
 * Opens (creating on first use) the dataset keys database.
 *
 * @param factory the `IDBFactory` (default: the global `indexedDB`).
 * @throws Error when the browser has no IndexedDB or refuses to open it.
 */
export async function openDatasetKeyStore(
  factory: IDBFactory | undefined = globalThis.indexedDB,
): Promise<DatasetKeyStore> {
  if (factory === undefined)
    throw new Error("this browser has no IndexedDB, so dataset keys cannot be kept here after an upload");
  const db = await new Promise<IDBDatabase>((resolve, reject) => {
    const request = factory.open(DATASET_KEYS_DB_NAME, DB_VERSION);
    request.onupgradeneeded = () => {
      if (!request.result.objectStoreNames.contains(STORE)) request.result.createObjectStore(STORE, { keyPath: "id" });
    };
    request.onsuccess = () => {
      // Another tab deleting or upgrading the database must not wait for this connection.
      request.result.onversionchange = () => request.result.close();
      resolve(request.result);
    };
    request.onerror = () =>
      reject(new Error(`cannot open the dataset keys database: ${request.error?.message ?? "unknown error"}`));
    request.onblocked = () =>
      reject(
        new Error("the dataset keys database is blocked by another tab with an older version; close it and reload"),
      );
  });

  function transact<T>(mode: IDBTransactionMode, body: (store: IDBObjectStore, done: (value: T) => void) => void) {
    return new Promise<T>((resolve, reject) => {
      const tx = db.transaction(STORE, mode);
      let result: T | undefined;
      tx.oncomplete = () => resolve(result as T);
      tx.onerror = () => reject(new Error(`the dataset keys database failed: ${tx.error?.message ?? "unknown error"}`));
      tx.onabort = () =>
        reject(new Error(`the dataset keys database aborted a change: ${tx.error?.message ?? "no reason given"}`));
      body(tx.objectStore(STORE), (value) => {
        result = value;
      });
    });
  }

  return {
    async save({ datasetKey, ...entry }) {
      if (datasetKey.length !== 32) throw new RangeError(`a dataset key is 32 bytes, got ${datasetKey.length}`);
      const record: KeyRecord = {
        id: idOf(entry, entry.transferId),
        gateway: entry.gateway,
        owner: entry.owner,
        transferId: entry.transferId,
        ref: entry.ref,
        savedAt: new Date().toISOString(),
        datasetKey: base64Encode(datasetKey),
      };
      await transact<void>("readwrite", (store) => void store.put(record));
    },
    async get(who, transferId) {
      const record = await transact<KeyRecord | undefined>("readonly", (store, done) => {
        const read = store.get(idOf(who, transferId));
        read.onsuccess = () => done(read.result as KeyRecord | undefined);
      });
      return record === undefined ? undefined : base64Decode(record.datasetKey);
    },
    async list(who) {
      const all = await transact<KeyRecord[]>("readonly", (store, done) => {
        const read = store.getAll();
        read.onsuccess = () => done(read.result as KeyRecord[]);
      });
      return all
        .filter((r) => r.gateway === who.gateway && r.owner === who.owner)
        .map(({ id: _id, datasetKey: _key, ...rest }) => rest);
    },
    remove: (who, transferId) => transact<void>("readwrite", (store) => void store.delete(idOf(who, transferId))),
    close: () => db.close(),
  };
}
