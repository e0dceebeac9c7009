/**
 * The public API end to end, through whichever entry point the runtime resolves
 * ("@cyxwiz/client": connect-node and `ws` in Node, connect-web and the global WebSocket in
 * Chromium), against the fake gateway the global setup runs in Node.
 */
import { connectGateway, createUploadSession, downloadDataset, type UploadEvent } from "@cyxwiz/client";
import { bytesByteSource } from "@cyxwiz/protocol/chunk";
import { DataClassification } from "@cyxwiz/protocol/gen";
import { loadPrimitives } from "@cyxwiz/protocol/primitives";
import { describe, expect, inject, it } from "vitest";
import { createMemoryStateStore } from "../test-support/memory-state-store.js";
import { testBytes } from "../test-support/test-bytes.js";

const baseUrl = inject("fakeGatewayUrl");
const token = inject("fakeGatewayToken");
const primitives = await loadPrimitives();

describe("@cyxwiz/client in this runtime", () => {
  it("uploads encrypted and compressed with escrow, resumably, and downloads the same bytes", async () => {
    const data = testBytes(100_000, 11);
    const datasetKey = crypto.getRandomValues(new Uint8Array(32));
    const name = `round-trip-${Math.random().toString(36).slice(2)}`;
    const store = createMemoryStateStore();
    const events: UploadEvent[] = [];
    const session = createUploadSession({
      clients: connectGateway({ baseUrl, token }),
      primitives,
      source: bytesByteSource(data),
      name,
      classification: DataClassification.INTERNAL,
      chunkSize: 8192,
      compression: "zstd",
      encrypt: true,
      datasetKey,
      escrow: true,
      store,
      stateKey: name,
      onEvent: (e) => events.push(e),
    });
    const result = await session.run();
    expect(result.version.ref).toBe(`${name}@v1`);
    expect(result.keyEscrowed).toBe(true);
    expect(events.map((e) => e.kind)).toEqual(["initiated", "committed"]);
    expect(store.counts.save).toBeGreaterThan(1);
    expect(store.saved.size).toBe(0);

    const parts: Uint8Array[] = [];
    const got = await downloadDataset({
      clients: connectGateway({ baseUrl, token }),
      primitives,
      ref: name,
      datasetKey,
      sink: (bytes) => {
        parts.push(bytes.slice());
      },
    });
    expect(got.bytes).toBe(data.length);
    const joined = new Uint8Array(got.bytes);
    let at = 0;
    for (const p of parts) {
      joined.set(p, at);
      at += p.length;
    }
    expect(joined).toEqual(data);
  });

  it("stops a download when its signal aborts: CYXW_CLIENT_CANCELLED, no chunk handed over after", async () => {
    const data = testBytes(40_000, 12);
    const name = `cancel-${Math.random().toString(36).slice(2)}`;
    await createUploadSession({
      clients: connectGateway({ baseUrl, token }),
      primitives,
      source: bytesByteSource(data),
      name,
      chunkSize: 8192,
    }).run();
    const controller = new AbortController();
    const seen: number[] = [];
    const download = downloadDataset({
      clients: connectGateway({ baseUrl, token }),
      primitives,
      ref: name,
      signal: controller.signal,
      sink: (_bytes, index) => {
        seen.push(index);
        if (index === 1) controller.abort();
      },
    });
    await expect(download).rejects.toMatchObject({ name: "ClientError", code: "CYXW_CLIENT_CANCELLED" });
    expect(seen).toEqual([0, 1]);
  });

  it("reports a refused token as CYXW_CLIENT_AUTH", async () => {
    const session = createUploadSession({
      clients: connectGateway({ baseUrl, token: "not.the.token" }),
      primitives,
      source: bytesByteSource(testBytes(10)),
      name: "x",
    });
    await expect(session.run()).rejects.toMatchObject({ name: "ClientError", code: "CYXW_CLIENT_AUTH" });
  });
});
