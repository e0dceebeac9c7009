import { hkdfSync } from "node:crypto";
import { describe, expect, it } from "vitest";
import { toHex } from "../../test-support/primitives-contract.js";
import { createNodePrimitives } from "../primitives/node-primitives.js";
import type { Primitives } from "../primitives/primitives.js";
import { createWebPrimitives } from "../primitives/web-primitives.js";
import { createChunkKeyCipher, deriveChunkKey, openChunkWithKey } from "./chunk-key-cipher.js";
import { grantChunkKeys, openGrant } from "./chunk-key-grant.js";
import { generateX25519KeyPair } from "./key-agreement.js";
import { generateDatasetKey } from "./key-wrap.js";

describe("AES-256-GCM-CHUNKKEY-v1 across implementations", () => {
  it("derives K_i as node:crypto's HKDF-SHA256 does (an independent implementation)", () => {
    const dek = generateDatasetKey();
    const salt = Uint8Array.from({ length: 16 }, (_, i) => i);
    const prefix = Uint8Array.from({ length: 7 }, (_, i) => 0xb0 + i);
    for (const index of [0, 1, 255, 0x01020304, 0xffff_ffff]) {
      const info = Buffer.concat([Buffer.from("cyxwiz-chunk-key"), prefix, Buffer.from([0, 0, 0, 0])]);
      info.writeUInt32BE(index, info.length - 4);
      const expected = new Uint8Array(hkdfSync("sha256", dek, salt, info, 32));
      expect(toHex(deriveChunkKey(dek, salt, prefix, index)), `index ${index}`).toBe(toHex(expected));
    }
  });

  it("chunks sealed with node:crypto open with K_i from a grant under crypto.subtle and @noble/ciphers", async () => {
    const node = await createNodePrimitives();
    const dek = generateDatasetKey();
    const made = await createChunkKeyCipher(node, dek);
    if (!made.ok) throw new Error(made.error.message);
    const sealed = await made.value.seal(4, true, new TextEncoder().encode("four"));
    const worker = generateX25519KeyPair();
    const grant = await grantChunkKeys(node, dek, made.value.parameters, [4], worker.publicKey);
    const readers: Primitives[] = [await createWebPrimitives(), await createWebPrimitives({ forceFallback: true })];
    for (const p of readers) {
      const opened = await openGrant(p, worker.secretKey, grant);
      if (!opened.ok) throw new Error(opened.error.message);
      const k4 = opened.value.keys.get(4) ?? new Uint8Array(32);
      const r = await openChunkWithKey(p, k4, opened.value.parameters, 4, true, sealed);
      expect(r.ok && new TextDecoder().decode(r.value)).toBe("four");
    }
  });
});
