import {
  generateIdentity,
  generateX25519KeyPair,
  type Identity,
  identityFromSeed,
  nodeIdOf,
  signMessage,
  x25519PublicKey,
} from "@cyxwiz/protocol/crypto";

/** The database that keeps this browser's volunteer identity, one per gateway. */
export const VOLUNTEER_DB_NAME = "cyxwiz-volunteer";
const DB_VERSION = 1;
const STORE = "identities";

/**
 * A volunteer tab's worker identity (docs/compute.md "Principals"): an Ed25519 key that signs the
 * registration and every update, and an X25519 key that chunk keys are granted to. Made on the
 * first Join and kept in this browser's IndexedDB, so the tab comes back as the same node (and
 * keeps its reputation) after a reload.
 */
export interface VolunteerIdentity {
  readonly nodeId: string;
  readonly signing: Identity;
  readonly agreement: { readonly secretKey: Uint8Array; readonly publicKey: Uint8Array };
  /** When it was made (ISO 8601). */
  readonly createdAt: string;
}

/** The identity as runWorker takes it ("@cyxwiz/client/worker"). */
export interface WorkerIdentity {
  readonly signingPublicKey: Uint8Array;
  readonly agreementPublicKey: Uint8Array;
  readonly agreementSecretKey: Uint8Array;
  sign(message: Uint8Array): Uint8Array;
}

/** runWorker's view of a volunteer identity: the public keys, the X25519 secret, and a signer. */
export function workerIdentity(identity: VolunteerIdentity): WorkerIdentity {
  return {
    signingPublicKey: identity.signing.publicKey,
    agreementPublicKey: identity.agreement.publicKey,
    agreementSecretKey: identity.agreement.secretKey,
    sign: (message) => signMessage(identity.signing, message),
  };
}

/** What is stored: the two secret keys only; the public keys and node id are derived on load. */
interface IdentityRecord {
  readonly gateway: string;
  readonly signingSeed: Uint8Array;
  readonly agreementSecret: Uint8Array;
  readonly createdAt: string;
}

/** The identity the two secret keys give. @throws RangeError for keys that are not 32 bytes. */
export function identityOf(signingSeed: Uint8Array, agreementSecret: Uint8Array, createdAt: string): VolunteerIdentity {
  const signing = identityFromSeed(signingSeed);
  return {
    nodeId: nodeIdOf(signing.publicKey),
    signing,
    agreement: { secretKey: agreementSecret.slice(), publicKey: x25519PublicKey(agreementSecret) },
    createdAt,
  };
}

/**
 * This browser's volunteer identity for `gateway`, made and saved on first use.
 *
 * @param factory the `IDBFactory` (default: the global `indexedDB`).
 * @throws Error when the browser has no IndexedDB or refuses it, or a stored record is damaged
 *   (it is left as it is: {@link forgetVolunteerIdentity} removes it).
 */
export async function loadOrCreateVolunteerIdentity(
  gateway: string,
  factory: IDBFactory | undefined = globalThis.indexedDB,
): Promise<VolunteerIdentity> {
  const db = await openDb(factory);
  try {
    const found = await request<IdentityRecord | undefined>(db, "readonly", (s) => s.get(gateway));
    if (found !== undefined) {
      try {
        return identityOf(found.signingSeed, found.agreementSecret, found.createdAt);
      } catch (e) {
        throw new Error(
          `the volunteer identity kept in this browser is damaged (${(e as Error).message}); forget it to make a new one`,
        );
      }
    }
    const signing = generateIdentity();
    const agreement = generateX25519KeyPair();
    const record: IdentityRecord = {
      gateway,
      signingSeed: signing.secretKey,
      agreementSecret: agreement.secretKey,
      createdAt: new Date().toISOString(),
    };
    // add, not put: if another tab made one first, this fails and the next call reads theirs.
    await request(db, "readwrite", (s) => s.add(record));
    return identityOf(record.signingSeed, record.agreementSecret, record.createdAt);
  } finally {
    db.close();
  }
}

/** Forgets this browser's volunteer identity for `gateway` (the next Join makes a new node). */
export async function forgetVolunteerIdentity(
  gateway: string,
  factory: IDBFactory | undefined = globalThis.indexedDB,
): Promise<void> {
  const db = await openDb(factory);
  try {
    await request(db, "readwrite", (s) => s.delete(gateway));
  } finally {
    db.close();
  }
}

function openDb(factory: IDBFactory | undefined): Promise<IDBDatabase> {
  if (factory === undefined) throw new Error("this browser has no IndexedDB, so it cannot keep a volunteer identity");
  return new Promise((resolve, reject) => {
    const open = factory.open(VOLUNTEER_DB_NAME, DB_VERSION);
    open.onupgradeneeded = () => {
      if (!open.result.objectStoreNames.contains(STORE)) open.result.createObjectStore(STORE, { keyPath: "gateway" });
    };
    open.onsuccess = () => {
      open.result.onversionchange = () => open.result.close();
      resolve(open.result);
    };
    open.onerror = () =>
      reject(new Error(`cannot open the volunteer identity database: ${open.error?.message ?? "unknown error"}`));
    open.onblocked = () =>
      reject(new Error("the volunteer identity database is blocked by another tab; close it and reload"));
  });
}

function request<T>(
  db: IDBDatabase,
  mode: IDBTransactionMode,
  body: (store: IDBObjectStore) => IDBRequest,
): Promise<T> {
  return new Promise((resolve, reject) => {
    const tx = db.transaction(STORE, mode);
    const r = body(tx.objectStore(STORE));
    tx.oncomplete = () => resolve(r.result as T);
    tx.onerror = () =>
      reject(new Error(`the volunteer identity database failed: ${tx.error?.message ?? "unknown error"}`));
    tx.onabort = () =>
      reject(new Error(`the volunteer identity database aborted a change: ${tx.error?.message ?? "no reason given"}`));
  });
}
