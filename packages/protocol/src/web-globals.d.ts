/**
 * The Web APIs that both browsers and Node 20+ provide as globals, declared narrowly so the
 * core compiles with an ES-only `lib` and no DOM or Node types (STYLE §2). Only what the core
 * actually uses is declared here.
 */

interface CyxwizCryptoKey {
  readonly type: string;
  readonly algorithm: unknown;
}

interface CyxwizSubtleCrypto {
  digest(algorithm: "SHA-256", data: Uint8Array): Promise<ArrayBuffer>;
  importKey(
    format: "raw",
    keyData: Uint8Array,
    algorithm: { name: "AES-GCM" } | "AES-GCM",
    extractable: boolean,
    keyUsages: ReadonlyArray<"encrypt" | "decrypt">,
  ): Promise<CyxwizCryptoKey>;
  encrypt(
    algorithm: { name: "AES-GCM"; iv: Uint8Array; additionalData?: Uint8Array; tagLength?: number },
    key: CyxwizCryptoKey,
    data: Uint8Array,
  ): Promise<ArrayBuffer>;
  decrypt(
    algorithm: { name: "AES-GCM"; iv: Uint8Array; additionalData?: Uint8Array; tagLength?: number },
    key: CyxwizCryptoKey,
    data: Uint8Array,
  ): Promise<ArrayBuffer>;
}

interface CyxwizCrypto {
  getRandomValues<T extends Uint8Array>(array: T): T;
  readonly subtle?: CyxwizSubtleCrypto;
}

declare var crypto: CyxwizCrypto | undefined;

declare class TextEncoder {
  encode(input?: string): Uint8Array;
}
declare class TextDecoder {
  constructor(label?: string, options?: { fatal?: boolean });
  decode(input?: Uint8Array): string;
}
