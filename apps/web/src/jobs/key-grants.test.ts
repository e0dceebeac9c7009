import { create } from "@bufbuild/protobuf";
import { createChunkKeyCipher, generateDatasetKey, generateX25519KeyPair, openGrant } from "@cyxwiz/protocol/crypto";
import { KeyRequestSchema } from "@cyxwiz/protocol/gen";
import { loadPrimitives } from "@cyxwiz/protocol/primitives";
import { describe, expect, it } from "vitest";
import { grantsFor } from "./key-grants.js";

describe("grantsFor", () => {
  it("grants each worker exactly its chunks, sealed to its own X25519 key", async () => {
    const primitives = await loadPrimitives();
    const datasetKey = generateDatasetKey();
    const made = await createChunkKeyCipher(primitives, datasetKey);
    if (!made.ok) throw new Error(made.error.message);
    const a = generateX25519KeyPair();
    const b = generateX25519KeyPair();
    const grants = await grantsFor(primitives, datasetKey, made.value.parameters, [
      create(KeyRequestSchema, { nodeId: "node_a", chunkIndices: [3, 1], agreementPublicKey: a.publicKey }),
      create(KeyRequestSchema, { nodeId: "node_b", chunkIndices: [2], agreementPublicKey: b.publicKey }),
    ]);
    expect(grants.map((g) => [g.nodeId, g.grant?.chunkIndices])).toEqual([
      ["node_a", [1, 3]],
      ["node_b", [2]],
    ]);
    const opened = await openGrant(primitives, a.secretKey, grants[0]!.grant!);
    expect(opened.ok && [...opened.value.keys.keys()]).toEqual([1, 3]);
    const wrongWorker = await openGrant(primitives, b.secretKey, grants[0]!.grant!);
    expect(wrongWorker.ok).toBe(false);
  });

  it("refuses a dataset key that is not the version's", async () => {
    const primitives = await loadPrimitives();
    const made = await createChunkKeyCipher(primitives, generateDatasetKey());
    if (!made.ok) throw new Error(made.error.message);
    const request = create(KeyRequestSchema, {
      nodeId: "node_a",
      chunkIndices: [0],
      agreementPublicKey: generateX25519KeyPair().publicKey,
    });
    await expect(grantsFor(primitives, generateDatasetKey(), made.value.parameters, [request])).rejects.toMatchObject({
      code: "CYXW_ERR_WRONG_KEY",
    });
  });
});
