/**
 * previewDataset against the fake gateway (global setup): chunk 0 verified and decrypted with the
 * owner's key, refused with a wrong or missing key.
 */
import { connectGateway, createUploadSession, isClientError, previewDataset } from "@cyxwiz/client";
import { bytesByteSource } from "@cyxwiz/protocol/chunk";
import { loadPrimitives } from "@cyxwiz/protocol/primitives";
import { describe, expect, inject, it } from "vitest";
import { createMemoryStateStore } from "../test-support/memory-state-store.js";
import { testBytes } from "../test-support/test-bytes.js";

const baseUrl = inject("fakeGatewayUrl");
const token = inject("fakeGatewayToken");
const primitives = await loadPrimitives();

async function upload(data: Uint8Array, datasetKey?: Uint8Array): Promise<string> {
  const name = `preview-${Math.random().toString(36).slice(2)}`;
  await createUploadSession({
    clients: connectGateway({ baseUrl, token }),
    primitives,
    source: bytesByteSource(data),
    name,
    chunkSize: 8192,
    compression: "zstd",
    ...(datasetKey === undefined ? {} : { encrypt: true, datasetKey }),
    store: createMemoryStateStore(),
    stateKey: name,
  }).run();
  return name;
}

describe("previewDataset", () => {
  it("gives the first chunk's plaintext of an encrypted, compressed version, opened with its key", async () => {
    const data = testBytes(30_000, 21);
    const datasetKey = crypto.getRandomValues(new Uint8Array(32));
    const name = await upload(data, datasetKey);
    const got = await previewDataset({
      clients: connectGateway({ baseUrl, token }),
      primitives,
      ref: name,
      datasetKey,
    });
    expect(got.version.ref).toBe(`${name}@v1`);
    expect(got.manifest.metadata?.numChunks).toBe(4);
    expect(got.firstChunk).toEqual(data.subarray(0, 8192));
  });

  it("refuses a wrong key and a missing key with CYXW_CLIENT_KEY", async () => {
    const name = await upload(testBytes(10_000, 22), crypto.getRandomValues(new Uint8Array(32)));
    const clients = connectGateway({ baseUrl, token });
    for (const datasetKey of [crypto.getRandomValues(new Uint8Array(32)), undefined]) {
      const err = await previewDataset({
        clients,
        primitives,
        ref: name,
        ...(datasetKey === undefined ? {} : { datasetKey }),
      }).catch((e: unknown) => e);
      expect(isClientError(err) && err.code).toBe("CYXW_CLIENT_KEY");
    }
  });

  it("reads a plain version without a key", async () => {
    const data = testBytes(5_000, 23);
    const name = await upload(data);
    const got = await previewDataset({ clients: connectGateway({ baseUrl, token }), primitives, ref: `${name}@v1` });
    expect(got.firstChunk).toEqual(data);
  });
});
