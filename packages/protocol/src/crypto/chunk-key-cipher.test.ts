import { create } from "@bufbuild/protobuf";
import { describe, expect, it } from "vitest";
import { concatBytes, fromHex, toHex } from "../../test-support/primitives-contract.js";
import rfc5869 from "../../test-vectors/rfc5869-hkdf-sha256.json";
import { CipherParametersSchema } from "../gen/cyxwiz/data/v1/manifest_pb.js";
import { createWebPrimitives } from "../primitives/web-primitives.js";
import {
  type ChunkCipher,
  createChunkCipher,
  createStreamCipher,
  decryptStream,
  encryptStream,
  STREAM_ALGORITHM,
} from "./chunk-cipher.js";
import {
  CHUNK_KEY_ALGORITHM,
  CHUNK_KEY_INFO,
  createChunkKeyCipher,
  deriveChunkKey,
  openChunkWithKey,
} from "./chunk-key-cipher.js";
import { hkdfSha256 } from "./key-agreement.js";
import { generateDatasetKey } from "./key-wrap.js";

const primitives = createWebPrimitives();
const text = (s: string) => new TextEncoder().encode(s);

async function newChunkKeyCipher(key: Uint8Array): Promise<ChunkCipher> {
  const r = await createChunkKeyCipher(await primitives, key);
  if (!r.ok) throw new Error(r.error.message);
  return r.value;
}

async function* from<T>(items: Iterable<T>): AsyncGenerator<T> {
  for (const item of items) yield item;
}

async function collect(stream: AsyncIterable<Uint8Array>): Promise<Uint8Array[]> {
  const out: Uint8Array[] = [];
  for await (const x of stream) out.push(x);
  return out;
}

describe("HKDF-SHA256 call path of the chunk keys (RFC 5869, byte-string info)", () => {
  for (const v of rfc5869.tests) {
    it(`RFC 5869 ${v.name}`, () => {
      expect(toHex(hkdfSha256(fromHex(v.ikm), fromHex(v.salt), fromHex(v.info), v.length))).toBe(v.okm);
    });
  }

  it('derives K_i = HKDF(DEK, salt, "cyxwiz-chunk-key" || nonce prefix || u32be(i), 32)', () => {
    const dek = fromHex(`${"00".repeat(31)}01`);
    const salt = fromHex("a0a1a2a3a4a5a6a7a8a9aaabacadaeaf");
    const prefix = fromHex("b0b1b2b3b4b5b6");
    const info = concatBytes(text(CHUNK_KEY_INFO), prefix, fromHex("01020304"));
    expect(toHex(deriveChunkKey(dek, salt, prefix, 0x01020304))).toBe(toHex(hkdfSha256(dek, salt, info, 32)));
  });
});

describe("AES-256-GCM-CHUNKKEY-v1 chunk keys", () => {
  const dek = generateDatasetKey();
  const salt = fromHex("000102030405060708090a0b0c0d0e0f");
  const prefix = fromHex("10111213141516");

  it("is deterministic, and differs per chunk index, per salt, per nonce prefix and per dataset key", () => {
    const k0 = toHex(deriveChunkKey(dek, salt, prefix, 0));
    expect(toHex(deriveChunkKey(dek, salt, prefix, 0))).toBe(k0);
    const others = [
      deriveChunkKey(dek, salt, prefix, 1),
      deriveChunkKey(dek, salt, prefix, 0xffff_ffff),
      deriveChunkKey(dek, fromHex("ff0102030405060708090a0b0c0d0e0f"), prefix, 0),
      deriveChunkKey(dek, salt, fromHex("ff111213141516"), 0),
      deriveChunkKey(generateDatasetKey(), salt, prefix, 0),
    ].map(toHex);
    expect(new Set([k0, ...others]).size).toBe(6);
    const many = new Set(Array.from({ length: 200 }, (_, i) => toHex(deriveChunkKey(dek, salt, prefix, i))));
    expect(many.size).toBe(200);
  });

  it("refuses wrong-length inputs and out-of-range indices", () => {
    expect(() => deriveChunkKey(dek.subarray(1), salt, prefix, 0)).toThrow(RangeError);
    expect(() => deriveChunkKey(dek, salt.subarray(1), prefix, 0)).toThrow(RangeError);
    expect(() => deriveChunkKey(dek, salt, prefix.subarray(1), 0)).toThrow(RangeError);
    expect(() => deriveChunkKey(dek, salt, prefix, -1)).toThrow(RangeError);
    expect(() => deriveChunkKey(dek, salt, prefix, 2 ** 32)).toThrow(RangeError);
    expect(() => deriveChunkKey(dek, salt, prefix, 1.5)).toThrow(RangeError);
  });
});

describe("AES-256-GCM-CHUNKKEY-v1 cipher", () => {
  it("names its suite and opens with the dataset key through createChunkCipher (picked by algorithm)", async () => {
    const dek = generateDatasetKey();
    const cipher = await newChunkKeyCipher(dek);
    expect(cipher.parameters.algorithm).toBe(CHUNK_KEY_ALGORITHM);
    const sealed = await cipher.seal(3, false, text("chunk three"));
    const reader = await createChunkCipher(await primitives, dek, cipher.parameters);
    if (!reader.ok) throw new Error(reader.error.message);
    const opened = await reader.value.open(3, false, sealed);
    expect(opened.ok && new TextDecoder().decode(opened.value)).toBe("chunk three");
  });

  it("opens chunk i with K_i alone, and not with K_j, nor at another index or last flag", async () => {
    const p = await primitives;
    const dek = generateDatasetKey();
    const cipher = await newChunkKeyCipher(dek);
    const params = cipher.parameters;
    const sealed = await cipher.seal(3, false, text("three"));
    const k3 = deriveChunkKey(dek, params.salt, params.noncePrefix, 3);
    const k2 = deriveChunkKey(dek, params.salt, params.noncePrefix, 2);
    const ok3 = await openChunkWithKey(p, k3, params, 3, false, sealed);
    expect(ok3.ok && new TextDecoder().decode(ok3.value)).toBe("three");
    const codes = [
      await openChunkWithKey(p, k2, params, 3, false, sealed),
      await openChunkWithKey(p, k3, params, 2, false, sealed),
      await openChunkWithKey(p, k3, params, 3, true, sealed),
      await openChunkWithKey(p, dek, params, 3, false, sealed),
    ].map((r) => (r.ok ? "opened" : r.error.code));
    expect(codes).toEqual(["CYXW_ERR_DECRYPT", "CYXW_ERR_DECRYPT", "CYXW_ERR_DECRYPT", "CYXW_ERR_DECRYPT"]);
    const bad = await openChunkWithKey(p, k2, params, 3, false, sealed);
    expect(!bad.ok && bad.error.message).toContain("chunk 3");
  });

  it("seals each chunk under a different key: the stream suite's key does not open it", async () => {
    const dek = generateDatasetKey();
    const cipher = await newChunkKeyCipher(dek);
    const sealed = await cipher.seal(0, true, text("zero"));
    const asStream = await createChunkCipher(
      await primitives,
      dek,
      create(CipherParametersSchema, { ...cipher.parameters, algorithm: STREAM_ALGORITHM }),
    );
    if (!asStream.ok) throw new Error(asStream.error.message);
    const r = await asStream.value.open(0, true, sealed);
    expect(r.ok ? "opened" : r.error.code).toBe("CYXW_ERR_DECRYPT");
  });

  it("round-trips a stream, and STREAM-v1 and CHUNKKEY-v1 uploads open side by side by their parameters", async () => {
    const p = await primitives;
    const dek = generateDatasetKey();
    const data = Uint8Array.from({ length: 1000 }, (_, i) => i % 251);
    const stream = await createStreamCipher(p, dek);
    const perChunk = await newChunkKeyCipher(dek);
    if (!stream.ok) throw new Error(stream.error.message);
    expect(stream.value.parameters.algorithm).toBe(STREAM_ALGORITHM);
    const uploads = [
      { params: stream.value.parameters, sealed: await collect(encryptStream(stream.value, from([data]), 300)) },
      { params: perChunk.parameters, sealed: await collect(encryptStream(perChunk, from([data]), 300)) },
    ];
    for (const u of uploads) {
      const reader = await createChunkCipher(p, dek, u.params);
      if (!reader.ok) throw new Error(reader.error.message);
      const plain = concatBytes(...(await collect(decryptStream(reader.value, from(u.sealed)))));
      expect(toHex(plain)).toBe(toHex(data));
    }
    expect(toHex(uploads[0]?.sealed[0] ?? new Uint8Array())).not.toBe(toHex(uploads[1]?.sealed[0] ?? new Uint8Array()));
  });

  it("reports a wrong dataset key and malformed parameters before any chunk", async () => {
    const p = await primitives;
    const cipher = await newChunkKeyCipher(generateDatasetKey());
    const wrong = await createChunkCipher(p, generateDatasetKey(), cipher.parameters);
    expect(wrong.ok ? "made" : wrong.error.code).toBe("CYXW_ERR_WRONG_KEY");
    const short = create(CipherParametersSchema, { ...cipher.parameters, salt: new Uint8Array(15) });
    const bad = await createChunkKeyCipher(p, generateDatasetKey(), short);
    expect(bad.ok ? "made" : bad.error.message).toContain("salt is 15 bytes");
    const other = await createChunkKeyCipher(
      p,
      generateDatasetKey(),
      create(CipherParametersSchema, { ...cipher.parameters, algorithm: STREAM_ALGORITHM }),
    );
    expect(other.ok ? "made" : other.error.code).toBe("CYXW_ERR_MANIFEST");
    const k = new Uint8Array(32);
    const noPrefix = create(CipherParametersSchema, { ...cipher.parameters, noncePrefix: new Uint8Array(6) });
    const r = await openChunkWithKey(p, k, noPrefix, 0, true, new Uint8Array(20));
    expect(r.ok ? "opened" : r.error.code).toBe("CYXW_ERR_MANIFEST");
  });

  it("sealAndHash gives the same sealed bytes as seal, with their SHA-256", async () => {
    const p = await primitives;
    const cipher = await newChunkKeyCipher(generateDatasetKey());
    const plain = text("hash me");
    const sealed = await cipher.seal(7, false, plain);
    const both = await cipher.sealAndHash(7, false, plain.slice());
    expect(toHex(concatBytes(...both.sealed))).toBe(toHex(sealed));
    expect(toHex(both.digest)).toBe(toHex(await p.sha256(sealed)));
  });
});
