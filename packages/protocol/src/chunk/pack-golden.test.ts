import { create } from "@bufbuild/protobuf";
import { loadPrimitives } from "@cyxwiz/protocol/primitives";
import { describe, expect, it } from "vitest";
import golden from "../../test-vectors/pack-golden.json";
import { type ChunkCipher, createChunkCipher, hkdfSha256 } from "../crypto/index.js";
import { CipherParametersSchema } from "../gen/cyxwiz/data/v1/manifest_pb.js";
import { bytesByteSource } from "./byte-source.js";
import { testBytes } from "./chunk-test-support.js";
import { chunkToFrame, createChunker } from "./chunker.js";

// The same bytes, key and cipher parameters must give the same frames and Merkle root in every
// runtime: this file runs in Node (node:crypto) and in Chromium (crypto.subtle + hash-wasm).
const p = await loadPrimitives();
const hex = (b: Uint8Array) => Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
const seq = (n: number, start: number) => Uint8Array.from({ length: n }, (_, i) => start + i);

async function packGolden(encrypted: boolean) {
  const key = seq(32, 1);
  const salt = seq(16, 0x10);
  let cipher: ChunkCipher | undefined;
  if (encrypted) {
    const parameters = create(CipherParametersSchema, {
      algorithm: "AES-256-GCM-STREAM-v1",
      salt,
      noncePrefix: seq(7, 0x20),
      keyCheck: hkdfSha256(key, salt, "cyxwiz-key-check-v1", 16),
    });
    const made = await createChunkCipher(p, key, parameters);
    if (!made.ok) throw new Error(made.error.message);
    cipher = made.value;
  }
  const chunker = createChunker(p, bytesByteSource(testBytes(50_000, 42)), {
    chunkSize: 8192,
    ...(cipher === undefined ? {} : { cipher }),
    metadata: { name: "golden" },
  });
  const frameDigests: string[] = [];
  for await (const c of chunker.chunks()) frameDigests.push(hex(await p.sha256(await chunkToFrame(p, c))));
  return { root: hex(chunker.manifest().metadata!.merkleRoot), frameDigests };
}

describe("a packed dataset is identical in every runtime", () => {
  for (const g of golden.cases) {
    it(`${g.name}: the pinned Merkle root and frames`, async () => {
      const r = await packGolden(g.encrypted);
      expect(r.root).toBe(g.merkleRoot);
      expect(r.frameDigests).toEqual(g.frameSha256);
    });
  }
});
