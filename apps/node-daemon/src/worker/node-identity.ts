import { randomBytes } from "node:crypto";
import { link, mkdir, open, readFile, stat, unlink } from "node:fs/promises";
import { join } from "node:path";
import {
  generateIdentity,
  type Identity,
  identityFromSeed,
  nodeIdOf,
  registrationMessage,
  signMessage,
  x25519PublicKey,
} from "@cyxwiz/protocol/crypto";
import { NodeIdentityError } from "./worker-errors.js";

/** The identity file's name inside the daemon's data directory. */
export const IDENTITY_FILE = "identity.json";

const FILE_KIND = "cyxwiz-node-identity";
const FILE_VERSION = 1;
const HEX_KEY = /^[0-9a-f]{64}$/;

/** The node daemon's long-lived keys (ARCHITECTURE §4 "Keys"; docs/node-daemon.md). */
export interface NodeIdentity {
  /** `node_` and the first 16 bytes of SHA-256(Ed25519 public key) in hex (`nodeIdOf`, @cyxwiz/protocol/crypto). */
  readonly nodeId: string;
  /** Ed25519: signs registration challenges (and later, results). */
  readonly signing: Identity;
  /** X25519: dataset keys are wrapped to this public key. */
  readonly agreement: { readonly secretKey: Uint8Array; readonly publicKey: Uint8Array };
  /** The Ed25519 signature of `registrationMessage({nonce, ...this node's public keys})`. */
  signChallenge(nonce: Uint8Array): Uint8Array;
}

function makeNodeIdentity(signing: Identity, agreementSecret: Uint8Array): NodeIdentity {
  const agreement = Object.freeze({ secretKey: agreementSecret, publicKey: x25519PublicKey(agreementSecret) });
  return Object.freeze({
    nodeId: nodeIdOf(signing.publicKey),
    signing,
    agreement,
    signChallenge(nonce: Uint8Array): Uint8Array {
      const message = registrationMessage({
        nonce,
        signingPublicKey: signing.publicKey,
        agreementPublicKey: agreement.publicKey,
      });
      return signMessage(signing, message);
    },
  });
}

function serialize(identity: NodeIdentity): string {
  const hex = (b: Uint8Array) => Buffer.from(b).toString("hex");
  return `${JSON.stringify(
    {
      kind: FILE_KIND,
      version: FILE_VERSION,
      nodeId: identity.nodeId,
      ed25519: { publicKey: hex(identity.signing.publicKey), secretKey: hex(identity.signing.secretKey) },
      x25519: { publicKey: hex(identity.agreement.publicKey), secretKey: hex(identity.agreement.secretKey) },
    },
    null,
    2,
  )}\n`;
}

/**
 * Reads an identity file's text, checking each public key against its secret key.
 * @throws NodeIdentityError IDENTITY_MALFORMED naming `path` and the field at fault.
 */
export function parseNodeIdentity(text: string, path: string): NodeIdentity {
  const bad = (why: string) => new NodeIdentityError("IDENTITY_MALFORMED", path, why);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw bad(`not JSON (${(e as Error).message})`);
  }
  if (typeof value !== "object" || value === null) throw bad("not a JSON object");
  const o = value as Record<string, unknown>;
  if (o.kind !== FILE_KIND || o.version !== FILE_VERSION) throw bad(`not a "${FILE_KIND}" version ${FILE_VERSION}`);
  const pair = (field: "ed25519" | "x25519") => {
    const p = o[field] as Record<string, unknown> | undefined;
    if (typeof p !== "object" || p === null) throw bad(`"${field}" is missing`);
    for (const k of ["publicKey", "secretKey"] as const) {
      if (typeof p[k] !== "string" || !HEX_KEY.test(p[k] as string)) {
        throw bad(`"${field}.${k}" is not 64 lowercase hex digits`);
      }
    }
    return { publicKey: p.publicKey as string, secretKey: p.secretKey as string };
  };
  const ed = pair("ed25519");
  const x = pair("x25519");
  const signing = identityFromSeed(new Uint8Array(Buffer.from(ed.secretKey, "hex")));
  if (Buffer.from(signing.publicKey).toString("hex") !== ed.publicKey) {
    throw bad('"ed25519.publicKey" does not match its secret key');
  }
  const identity = makeNodeIdentity(signing, new Uint8Array(Buffer.from(x.secretKey, "hex")));
  if (Buffer.from(identity.agreement.publicKey).toString("hex") !== x.publicKey) {
    throw bad('"x25519.publicKey" does not match its secret key');
  }
  if (o.nodeId !== undefined && o.nodeId !== identity.nodeId) throw bad('"nodeId" does not match the Ed25519 key');
  return identity;
}

/** A fresh identity: a new Ed25519 key pair and a new X25519 key pair. */
export function generateNodeIdentity(): NodeIdentity {
  return makeNodeIdentity(generateIdentity(), new Uint8Array(randomBytes(32)));
}

/**
 * The node's identity from `<dataDir>/identity.json`, created on first start (directory mode
 * 0700, file mode 0600) and reused afterwards. The file is written to a temporary name, fsynced,
 * then hard-linked into place, so it appears whole or not at all and two daemons starting at once
 * end up with the same identity.
 *
 * @returns the identity and whether this call created it.
 * @throws NodeIdentityError IDENTITY_PERMISSIONS when the file is readable or writable by group or
 *   others (it holds secret keys), IDENTITY_MALFORMED when it is not a valid identity file,
 *   IDENTITY_UNREADABLE when it or the directory cannot be read or written.
 */
export async function loadOrCreateNodeIdentity(dataDir: string): Promise<{ identity: NodeIdentity; created: boolean }> {
  const path = join(dataDir, IDENTITY_FILE);
  const existing = await readIdentityFile(path);
  if (existing !== undefined) return { identity: existing, created: false };
  const identity = generateNodeIdentity();
  try {
    await mkdir(dataDir, { recursive: true, mode: 0o700 });
    const tmp = `${path}.${randomBytes(6).toString("hex")}.tmp`;
    const handle = await open(tmp, "wx", 0o600);
    try {
      await handle.writeFile(serialize(identity), "utf8");
      await handle.sync();
    } finally {
      await handle.close();
    }
    try {
      await link(tmp, path);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
      // Another daemon won the race: use its identity, not ours.
      await unlink(tmp);
      const theirs = await readIdentityFile(path);
      if (theirs === undefined) throw e;
      return { identity: theirs, created: false };
    }
    await unlink(tmp);
    await syncDir(dataDir);
  } catch (e) {
    if (e instanceof Error && e.name === "NodeIdentityError") throw e;
    throw new NodeIdentityError("IDENTITY_UNREADABLE", path, `cannot create: ${errnoText(e)}`);
  }
  return { identity, created: true };
}

async function readIdentityFile(path: string): Promise<NodeIdentity | undefined> {
  let mode: number;
  try {
    mode = (await stat(path)).mode;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw new NodeIdentityError("IDENTITY_UNREADABLE", path, `cannot stat: ${errnoText(e)}`);
  }
  if (process.platform !== "win32" && (mode & 0o077) !== 0) {
    throw new NodeIdentityError(
      "IDENTITY_PERMISSIONS",
      path,
      `mode ${(mode & 0o777).toString(8).padStart(4, "0")} lets group or others access the secret keys; run chmod 600 on it`,
    );
  }
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (e) {
    throw new NodeIdentityError("IDENTITY_UNREADABLE", path, `cannot read: ${errnoText(e)}`);
  }
  return parseNodeIdentity(text, path);
}

/** fsync a directory so a rename or link in it survives a crash (no-op where unsupported). */
export async function syncDir(dir: string): Promise<void> {
  if (process.platform === "win32") return;
  const handle = await open(dir, "r");
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

function errnoText(e: unknown): string {
  return (e as NodeJS.ErrnoException).code ?? String(e);
}
