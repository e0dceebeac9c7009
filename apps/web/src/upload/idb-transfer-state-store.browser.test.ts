import type { TransferState } from "@cyxwiz/client";
import { DataClassification } from "@cyxwiz/protocol/gen";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  type IdbTransferStateStore,
  openIdbTransferStateStore,
  UPLOADS_DB_NAME,
  type UploadRecordMeta,
} from "./idb-transfer-state-store.js";

const KEY_B64 = btoa(String.fromCharCode(...new Uint8Array(32).fill(7)));

function meta(key: string, owner = "ada", createdAt = "2026-11-24T10:00:00.000Z"): UploadRecordMeta {
  return {
    key,
    owner,
    gateway: "http://127.0.0.1:8080",
    file: { name: "train.csv", size: 10, lastModified: 1 },
    choices: {
      name: "train.csv",
      classification: DataClassification.INTERNAL,
      encrypt: true,
      compression: "zstd",
      escrow: false,
    },
    datasetKey: KEY_B64,
    createdAt,
  };
}

function state(transferId: string, acked: boolean): TransferState {
  return {
    format: 1,
    transferId,
    name: "train.csv",
    type: "opaque",
    classification: DataClassification.INTERNAL,
    totalSize: 10,
    chunkSize: 4,
    numChunks: 3,
    requestedCodec: "zstd",
    codec: "none",
    encrypted: false,
    escrow: false,
    createdAt: "2026-11-24T10:00:01.000Z",
    chunks: [acked ? { storedSize: 4, digest: btoa("x".repeat(32)), compressed: false } : null, null, null],
  };
}

function deleteDatabase(): Promise<void> {
  return new Promise((resolve, reject) => {
    const r = indexedDB.deleteDatabase(UPLOADS_DB_NAME);
    r.onsuccess = () => resolve();
    r.onerror = () => reject(r.error);
  });
}

describe("IndexedDB transfer state store", () => {
  let store: IdbTransferStateStore;
  beforeEach(async () => {
    await deleteDatabase();
    store = await openIdbTransferStateStore();
  });
  afterEach(() => store.close());

  it("keeps the engine's state beside the upload's record, across connections (a page reload)", async () => {
    await store.put(meta("u1"));
    expect(await store.load("u1")).toBeUndefined();
    await store.save("u1", state("t-1", false));
    await store.save("u1", state("t-1", true));
    store.close();

    store = await openIdbTransferStateStore();
    const loaded = await store.load("u1");
    expect(loaded?.transferId).toBe("t-1");
    expect(loaded?.chunks[0]).not.toBeNull();
    const record = await store.get("u1");
    expect(record?.datasetKey).toBe(KEY_B64);
    expect(record?.file).toEqual({ name: "train.csv", size: 10, lastModified: 1 });
  });

  it("forgets only the state on the engine's delete, and everything on remove", async () => {
    await store.put(meta("u1"));
    await store.save("u1", state("t-1", true));
    await store.delete("u1");
    expect(await store.load("u1")).toBeUndefined();
    expect((await store.get("u1"))?.datasetKey).toBe(KEY_B64);

    await store.remove("u1");
    expect(await store.get("u1")).toBeUndefined();
    await expect(store.delete("absent")).resolves.toBeUndefined();
    await expect(store.remove("absent")).resolves.toBeUndefined();
  });

  it("keeps saved state when the record's own fields are written again", async () => {
    await store.put(meta("u1"));
    await store.save("u1", state("t-9", true));
    await store.put({ ...meta("u1"), choices: { ...meta("u1").choices, compression: "lz4" } });
    expect((await store.load("u1"))?.transferId).toBe("t-9");
    expect((await store.get("u1"))?.choices.compression).toBe("lz4");
  });

  it("lists one owner's uploads at one gateway, oldest first, and skips bare states", async () => {
    await store.put(meta("late", "ada", "2026-11-24T12:00:00.000Z"));
    await store.put(meta("early", "ada", "2026-11-24T08:00:00.000Z"));
    await store.put(meta("other", "grace"));
    await store.put({ ...meta("elsewhere"), gateway: "https://gateway.example" });
    await store.save("bare", state("t-2", false));
    const listed = await store.list("ada", "http://127.0.0.1:8080");
    expect(listed.map((r) => r.key)).toEqual(["early", "late"]);
  });
});
