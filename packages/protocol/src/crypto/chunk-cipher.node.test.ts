import { describe, expect, it } from "vitest";
import { toHex } from "../../test-support/primitives-contract.js";
import { createNodePrimitives } from "../primitives/node-primitives.js";
import type { Primitives } from "../primitives/primitives.js";
import { createWebPrimitives } from "../primitives/web-primitives.js";
import { createChunkCipher, decryptStream, encryptStream } from "./chunk-cipher.js";
import { generateX25519KeyPair } from "./key-agreement.js";
import { generateDatasetKey, unwrapDatasetKey, wrapDatasetKey } from "./key-wrap.js";

async function* from<T>(items: Iterable<T>): AsyncGenerator<T> {
  for (const item of items) yield item;
}

async function collect(stream: AsyncIterable<Uint8Array>): Promise<string[]> {
  const out: string[] = [];
  for await (const x of stream) out.push(toHex(x));
  return out;
}

describe("chunk cipher and key wrap across implementations (node:crypto, crypto.subtle, @noble/ciphers)", () => {
  const implementations: [string, () => Promise<Primitives>][] = [
    ["node", () => createNodePrimitives()],
    ["web", () => createWebPrimitives()],
    ["web fallback", () => createWebPrimitives({ forceFallback: true })],
  ];

  it("seals a stream to the same bytes with every implementation, and each opens the others' output", async () => {
    const key = generateDatasetKey();
    const made = await createChunkCipher(await createNodePrimitives(), key);
    if (!made.ok) throw new Error(made.error.message);
    const parameters = made.value.parameters;
    const data = new Uint8Array(10_000).map((_, i) => (i * 7) & 0xff);
    const outputs: string[][] = [];
    for (const [name, createPrimitives] of implementations) {
      const cipher = await createChunkCipher(await createPrimitives(), key, parameters);
      if (!cipher.ok) throw new Error(`${name}: ${cipher.error.message}`);
      outputs.push(await collect(encryptStream(cipher.value, from([data]), 4096)));
    }
    expect(outputs[0]?.length).toBe(3);
    expect(outputs[1]).toEqual(outputs[0]);
    expect(outputs[2]).toEqual(outputs[0]);
    for (const [name, createPrimitives] of implementations) {
      const cipher = await createChunkCipher(await createPrimitives(), key, parameters);
      if (!cipher.ok) throw new Error(cipher.error.message);
      const sealed = (outputs[0] ?? []).map((h) => Uint8Array.from(Buffer.from(h, "hex")));
      const plain = await collect(decryptStream(cipher.value, from(sealed)));
      expect(plain.join(""), name).toBe(toHex(data));
    }
  });

  it("unwraps with every implementation a key wrapped by any other", async () => {
    const recipient = generateX25519KeyPair();
    const datasetKey = generateDatasetKey();
    for (const [wrapper, createWrapper] of implementations) {
      const wrapped = await wrapDatasetKey(await createWrapper(), datasetKey, recipient.publicKey);
      for (const [unwrapper, createUnwrapper] of implementations) {
        const r = await unwrapDatasetKey(await createUnwrapper(), wrapped, recipient.secretKey);
        expect(r.ok && toHex(r.value), `${wrapper} -> ${unwrapper}`).toBe(toHex(datasetKey));
      }
    }
  });
});
