import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import { describe, expect, it } from "vitest";
import { toHex } from "../../test-support/primitives-contract.js";
import { isProtocolError } from "../errors/error-codes.js";
import { ChunkKeyGrantSchema, CipherParametersSchema, WrappedKeySchema } from "../gen/cyxwiz/data/v1/manifest_pb.js";
import { createWebPrimitives } from "../primitives/web-primitives.js";
import { type ChunkCipher, createStreamCipher, STREAM_ALGORITHM } from "./chunk-cipher.js";
import { createChunkKeyCipher, deriveChunkKey, openChunkWithKey } from "./chunk-key-cipher.js";
import { grantChunkKeys, openGrant } from "./chunk-key-grant.js";
import { generateX25519KeyPair } from "./key-agreement.js";
import { generateDatasetKey, unwrapDatasetKey, wrapDatasetKey } from "./key-wrap.js";

const primitives = createWebPrimitives();
const text = (s: string) => new TextEncoder().encode(s);
const codeOf = (r: { ok: true } | { ok: false; error: { code: string } }) => (r.ok ? "opened" : r.error.code);

/** A CHUNKKEY-v1 version of 7 chunks, sealed; chunk i's plaintext is "chunk i". */
async function version(): Promise<{ dek: Uint8Array; cipher: ChunkCipher; sealed: Uint8Array[] }> {
  const dek = generateDatasetKey();
  const made = await createChunkKeyCipher(await primitives, dek);
  if (!made.ok) throw new Error(made.error.message);
  const sealed: Uint8Array[] = [];
  for (let i = 0; i < 7; i++) sealed.push(await made.value.seal(i, i === 6, text(`chunk ${i}`)));
  return { dek, cipher: made.value, sealed };
}

describe("chunk-key grants", () => {
  it("a grant for chunks {2,5} opens exactly those; its holder cannot decrypt chunk 3", async () => {
    const p = await primitives;
    const { dek, cipher, sealed } = await version();
    const worker = generateX25519KeyPair();
    const grant = await grantChunkKeys(p, dek, cipher.parameters, [5, 2], worker.publicKey);
    expect(grant.chunkIndices).toEqual([2, 5]);
    // Travels as protobuf.
    const decoded = fromBinary(ChunkKeyGrantSchema, toBinary(ChunkKeyGrantSchema, grant));
    const opened = await openGrant(p, worker.secretKey, decoded);
    if (!opened.ok) throw new Error(opened.error.message);
    const { keys, parameters } = opened.value;
    expect([...keys.keys()]).toEqual([2, 5]);
    expect(toHex(keys.get(2) ?? new Uint8Array())).toBe(
      toHex(deriveChunkKey(dek, cipher.parameters.salt, cipher.parameters.noncePrefix, 2)),
    );
    for (const i of [2, 5]) {
      const r = await openChunkWithKey(
        p,
        keys.get(i) ?? new Uint8Array(32),
        parameters,
        i,
        false,
        sealed[i] ?? text(""),
      );
      expect(r.ok && new TextDecoder().decode(r.value)).toBe(`chunk ${i}`);
    }
    expect(keys.has(3)).toBe(false);
    // Every key the worker holds fails on chunk 3, and so does the grant's wrapped content.
    for (const k of [...keys.values(), grant.wrapped?.ciphertext.subarray(0, 32) ?? new Uint8Array(32)]) {
      expect(codeOf(await openChunkWithKey(p, k, parameters, 3, false, sealed[3] ?? text("")))).toBe(
        "CYXW_ERR_DECRYPT",
      );
    }
  });

  it("fails to open when altered: sealed content, nonce, clear indices, clear salt, or algorithm", async () => {
    const p = await primitives;
    const { dek, cipher } = await version();
    const worker = generateX25519KeyPair();
    const grant = await grantChunkKeys(p, dek, cipher.parameters, [2, 5], worker.publicKey);
    const wrapped = grant.wrapped ?? create(WrappedKeySchema);
    const flipped = wrapped.ciphertext.slice();
    flipped[10] = (flipped[10] ?? 0) ^ 1;
    const nonce = wrapped.nonce.slice();
    nonce[0] = (nonce[0] ?? 0) ^ 1;
    const salt = grant.salt.slice();
    salt[0] = (salt[0] ?? 0) ^ 1;
    const variants = [
      create(ChunkKeyGrantSchema, { ...grant, wrapped: create(WrappedKeySchema, { ...wrapped, ciphertext: flipped }) }),
      create(ChunkKeyGrantSchema, { ...grant, wrapped: create(WrappedKeySchema, { ...wrapped, nonce }) }),
      create(ChunkKeyGrantSchema, { ...grant, chunkIndices: [2, 3] }),
      create(ChunkKeyGrantSchema, { ...grant, chunkIndices: [2, 5, 6] }),
      create(ChunkKeyGrantSchema, { ...grant, salt }),
      create(ChunkKeyGrantSchema, { ...grant, algorithm: STREAM_ALGORITHM }),
      create(ChunkKeyGrantSchema, { ...grant, wrapped: undefined }),
    ];
    const codes = await Promise.all(variants.map(async (g) => codeOf(await openGrant(p, worker.secretKey, g))));
    expect(codes).toEqual(Array(variants.length).fill("CYXW_ERR_KEY_UNWRAP"));
    expect(codeOf(await openGrant(p, worker.secretKey, grant))).toBe("opened");
  });

  it("does not open for another recipient, even when relabelled for it", async () => {
    const p = await primitives;
    const { dek, cipher } = await version();
    const worker = generateX25519KeyPair();
    const other = generateX25519KeyPair();
    const grant = await grantChunkKeys(p, dek, cipher.parameters, [1], worker.publicKey);
    const r = await openGrant(p, other.secretKey, grant);
    expect(!r.ok && r.error.message).toContain("another recipient");
    const relabelled = create(ChunkKeyGrantSchema, {
      ...grant,
      wrapped: create(WrappedKeySchema, {
        ...(grant.wrapped ?? create(WrappedKeySchema)),
        recipientPublicKey: other.publicKey,
      }),
    });
    expect(codeOf(await openGrant(p, other.secretKey, relabelled))).toBe("CYXW_ERR_KEY_UNWRAP");
  });

  it("is not interchangeable with a wrapped dataset key (distinct HKDF info)", async () => {
    const p = await primitives;
    const { dek, cipher } = await version();
    const worker = generateX25519KeyPair();
    const grant = await grantChunkKeys(p, dek, cipher.parameters, [0], worker.publicKey);
    expect(codeOf(await unwrapDatasetKey(p, grant.wrapped ?? create(WrappedKeySchema), worker.secretKey))).toBe(
      "CYXW_ERR_KEY_UNWRAP",
    );
    const wrappedDek = await wrapDatasetKey(p, dek, worker.publicKey);
    const asGrant = create(ChunkKeyGrantSchema, { ...grant, wrapped: wrappedDek });
    expect(codeOf(await openGrant(p, worker.secretKey, asGrant))).toBe("CYXW_ERR_KEY_UNWRAP");
  });

  it("refuses a wrong dataset key, stream-suite parameters, and empty, repeated or out-of-range indices", async () => {
    const p = await primitives;
    const { dek, cipher } = await version();
    const worker = generateX25519KeyPair();
    const code = async (f: () => Promise<unknown>) => {
      try {
        await f();
        return "granted";
      } catch (e) {
        return isProtocolError(e) ? e.code : (e as Error).name;
      }
    };
    const stream = await createStreamCipher(p, dek);
    if (!stream.ok) throw new Error(stream.error.message);
    expect(await code(() => grantChunkKeys(p, generateDatasetKey(), cipher.parameters, [1], worker.publicKey))).toBe(
      "CYXW_ERR_WRONG_KEY",
    );
    expect(await code(() => grantChunkKeys(p, dek, stream.value.parameters, [1], worker.publicKey))).toBe(
      "CYXW_ERR_MANIFEST",
    );
    const shortSalt = create(CipherParametersSchema, { ...cipher.parameters, salt: new Uint8Array(3) });
    expect(await code(() => grantChunkKeys(p, dek, shortSalt, [1], worker.publicKey))).toBe("CYXW_ERR_MANIFEST");
    expect(await code(() => grantChunkKeys(p, dek, cipher.parameters, [], worker.publicKey))).toBe("RangeError");
    expect(await code(() => grantChunkKeys(p, dek, cipher.parameters, [1, 1], worker.publicKey))).toBe("RangeError");
    expect(await code(() => grantChunkKeys(p, dek, cipher.parameters, [-1], worker.publicKey))).toBe("RangeError");
    expect(await code(() => grantChunkKeys(p, dek, cipher.parameters, [1], new Uint8Array(31)))).toBe("RangeError");
  });
});
