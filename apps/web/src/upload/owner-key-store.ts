/** The database that keeps each user's owner key for the `hash` anonymizer in this browser. */
export const OWNER_KEYS_DB_NAME = "cyxwiz-owner-keys";
const STORE = "keys";
/** Bytes of a new owner key. */
export const OWNER_KEY_BYTES = 32;

function request<T>(r: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    r.onsuccess = () => resolve(r.result);
    r.onerror = () => reject(r.error ?? new Error("IndexedDB request failed"));
  });
}

/**
 * The owner key of `owner` at `gateway` for the `hash` anonymizer (docs/personal-data.md): 32
 * random bytes created on first use and kept in IndexedDB, so the same value gets the same
 * pseudonym in every file this user uploads from this browser.
 *
 * @param factory the `IDBFactory` (default: the global `indexedDB`).
 */
export async function ownerKeyFor(
  owner: string,
  gateway: string,
  factory: IDBFactory | undefined = globalThis.indexedDB,
): Promise<Uint8Array> {
  if (factory === undefined) throw new Error("this browser has no IndexedDB to keep the owner key for hashing");
  const open = factory.open(OWNER_KEYS_DB_NAME, 1);
  open.onupgradeneeded = () => {
    if (!open.result.objectStoreNames.contains(STORE)) open.result.createObjectStore(STORE);
  };
  const db = await request(open);
  try {
    const id = `${owner}@${gateway}`;
    const tx = db.transaction(STORE, "readwrite");
    const store = tx.objectStore(STORE);
    const saved = (await request(store.get(id))) as Uint8Array | undefined;
    if (saved instanceof Uint8Array && saved.length === OWNER_KEY_BYTES) return saved;
    const key = crypto.getRandomValues(new Uint8Array(OWNER_KEY_BYTES));
    await request(store.add(key, id));
    return key;
  } finally {
    db.close();
  }
}
