import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from "node:crypto";

/** HKDF `info` of the chunk cache key (docs/node-daemon.md). */
export const CACHE_KEY_INFO = "cyxwiz-node-cache";

const NONCE_BYTES = 12;
const TAG_BYTES = 16;
/** Bytes a sealed file adds to its plaintext: the 12-byte nonce and the 16-byte GCM tag. */
export const SEAL_OVERHEAD = NONCE_BYTES + TAG_BYTES;

/**
 * The 32-byte AES-256-GCM key of the node's chunk cache: HKDF-SHA256 (RFC 5869) of the node's
 * Ed25519 secret key, empty salt, info "cyxwiz-node-cache". The cached files are useless without
 * the identity file.
 *
 * @throws RangeError when the secret is not 32 bytes.
 */
export function deriveCacheKey(identitySecret: Uint8Array): Uint8Array {
  if (!(identitySecret instanceof Uint8Array) || identitySecret.length !== 32) {
    throw new RangeError("identity secret must be 32 bytes");
  }
  return new Uint8Array(hkdfSync("sha256", identitySecret, new Uint8Array(0), CACHE_KEY_INFO, 32));
}

/**
 * `nonce (12) || AES-256-GCM(key, nonce, plaintext, aad = digest hex) || tag (16)`, with a fresh
 * random nonce. Binding the digest as associated data stops one cached file from being passed off
 * under another digest.
 */
export function sealCacheEntry(key: Uint8Array, digest: string, plaintext: Uint8Array): Uint8Array {
  const nonce = randomBytes(NONCE_BYTES);
  const cipher = createCipheriv("aes-256-gcm", key, nonce);
  cipher.setAAD(Buffer.from(digest, "ascii"));
  const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return new Uint8Array(Buffer.concat([nonce, body, cipher.getAuthTag()]));
}

/** The plaintext of a sealed file, or undefined when it does not authenticate (tag checked first). */
export function openCacheEntry(key: Uint8Array, digest: string, sealed: Uint8Array): Uint8Array | undefined {
  if (sealed.length < SEAL_OVERHEAD) return undefined;
  const nonce = sealed.subarray(0, NONCE_BYTES);
  const tag = sealed.subarray(sealed.length - TAG_BYTES);
  const decipher = createDecipheriv("aes-256-gcm", key, nonce);
  decipher.setAAD(Buffer.from(digest, "ascii"));
  decipher.setAuthTag(tag);
  try {
    // node:crypto releases no plaintext it has not authenticated: final() throws on a bad tag
    // and the caller drops what update() returned.
    const plain = Buffer.concat([
      decipher.update(sealed.subarray(NONCE_BYTES, sealed.length - TAG_BYTES)),
      decipher.final(),
    ]);
    return new Uint8Array(plain.buffer, plain.byteOffset, plain.length);
  } catch {
    return undefined;
  }
}
