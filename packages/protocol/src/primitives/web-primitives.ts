import { gcm } from "@noble/ciphers/aes.js";
import { createCRC32, createSHA256 } from "hash-wasm";
import { AES_GCM_TAG_BYTES, type AesGcmKey, checkAesGcmArgs, type Primitives } from "./primitives.js";

const SLOW_AES_WARNING =
  "crypto.subtle is unavailable (the page is not a secure context), so AES-256-GCM runs in pure JavaScript, about 30x slower. Serve the dashboard over https or from localhost.";

/**
 * Browser primitives: `crypto.subtle` for whole-chunk SHA-256 and AES-256-GCM (fastest measured
 * in Chromium), `hash-wasm` for CRC-32 and incremental SHA-256. Where `crypto.subtle` is missing
 * (a page served over plain http on a LAN address is not a secure context) AES-GCM falls back to
 * pure-JS `@noble/ciphers` with a warning, and SHA-256 to hash-wasm.
 *
 * @param options.forceFallback use the non-`crypto.subtle` paths even where it exists (tests).
 * @throws Error when the runtime has no `crypto.getRandomValues` at all.
 */
export async function createWebPrimitives(options: { forceFallback?: boolean } = {}): Promise<Primitives> {
  const c = globalThis.crypto;
  if (c === undefined || typeof c.getRandomValues !== "function") {
    throw new Error("globalThis.crypto.getRandomValues is required and missing in this runtime");
  }
  const subtle = options.forceFallback === true ? undefined : c.subtle;
  const crc = await createCRC32();
  const sha = await createSHA256();
  return {
    name: subtle === undefined ? "web-noble-fallback" : "web",
    warnings: subtle === undefined ? [SLOW_AES_WARNING] : [],
    async sha256(data) {
      if (subtle !== undefined) return new Uint8Array(await subtle.digest("SHA-256", data));
      sha.init();
      sha.update(data);
      return sha.digest("binary");
    },
    async createSha256() {
      const h = await createSHA256();
      const stream = {
        update(data: Uint8Array) {
          h.update(data);
          return stream;
        },
        digest: () => h.digest("binary"),
      };
      return stream;
    },
    crc32(...parts) {
      crc.init();
      for (const p of parts) crc.update(p);
      const d = crc.digest("binary"); // 4 bytes, big-endian (the conventional CRC-32 byte order)
      return new DataView(d.buffer, d.byteOffset, 4).getUint32(0);
    },
    async importAesGcmKey(key) {
      checkAesGcmArgs(key);
      if (subtle === undefined) return nobleAesGcmKey(key);
      const k = await subtle.importKey("raw", key, { name: "AES-GCM" }, false, ["encrypt", "decrypt"]);
      const params = (iv: Uint8Array, aad: Uint8Array | undefined) =>
        aad === undefined ? { name: "AES-GCM" as const, iv } : { name: "AES-GCM" as const, iv, additionalData: aad };
      return {
        async encrypt(nonce, plaintext, aad) {
          checkAesGcmArgs(undefined, nonce);
          return new Uint8Array(await subtle.encrypt(params(nonce, aad), k, plaintext));
        },
        async decrypt(nonce, sealed, aad) {
          checkAesGcmArgs(undefined, nonce);
          if (sealed.length < AES_GCM_TAG_BYTES) return undefined;
          try {
            return new Uint8Array(await subtle.decrypt(params(nonce, aad), k, sealed));
          } catch {
            return undefined; // OperationError: the tag did not authenticate (an expected outcome)
          }
        },
      };
    },
  };
}

/** Pure-JS AES-256-GCM (audited @noble/ciphers), the fallback where crypto.subtle is missing. */
function nobleAesGcmKey(key: Uint8Array): AesGcmKey {
  const k = key.slice();
  return {
    async encrypt(nonce, plaintext, aad) {
      checkAesGcmArgs(undefined, nonce);
      return gcm(k, nonce, aad).encrypt(plaintext);
    },
    async decrypt(nonce, sealed, aad) {
      checkAesGcmArgs(undefined, nonce);
      if (sealed.length < AES_GCM_TAG_BYTES) return undefined;
      try {
        return gcm(k, nonce, aad).decrypt(sealed);
      } catch {
        return undefined;
      }
    },
  };
}
