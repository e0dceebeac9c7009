/**
 * TypeScript 5.9's DOM lib types `crypto.subtle` arguments as `BufferSource`, which only admits
 * views over an `ArrayBuffer` (not `Uint8Array<ArrayBufferLike>`). `@cyxwiz/protocol` is compiled
 * with an ES-only lib and its own narrow Web declarations, where plain `Uint8Array`s are accepted;
 * this app compiles the protocol's sources together with the DOM lib, so these overloads admit
 * the views it passes (never SharedArrayBuffer-backed: every one is allocated by the protocol or
 * read from a File). Remove once web-primitives.ts narrows its views itself.
 */

interface CyxwizAesGcmViewParams {
  name: "AES-GCM";
  iv: Uint8Array;
  additionalData?: Uint8Array;
  tagLength?: number;
}

interface SubtleCrypto {
  digest(algorithm: "SHA-256", data: Uint8Array): Promise<ArrayBuffer>;
  importKey(
    format: "raw",
    keyData: Uint8Array,
    algorithm: { name: "AES-GCM" } | "AES-GCM",
    extractable: boolean,
    keyUsages: ReadonlyArray<KeyUsage>,
  ): Promise<CryptoKey>;
  encrypt(algorithm: CyxwizAesGcmViewParams, key: CryptoKey, data: Uint8Array): Promise<ArrayBuffer>;
  decrypt(algorithm: CyxwizAesGcmViewParams, key: CryptoKey, data: Uint8Array): Promise<ArrayBuffer>;
}
