import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { DATASET_KEYS_DB_NAME, type DatasetKeyStore, openDatasetKeyStore } from "./dataset-key-store.js";

const ada = { gateway: "http://127.0.0.1:8080", owner: "ada" };
const key = (fill: number) => new Uint8Array(32).fill(fill);

function deleteDb(): Promise<void> {
  return new Promise((resolve, reject) => {
    const r = indexedDB.deleteDatabase(DATASET_KEYS_DB_NAME);
    r.onsuccess = () => resolve();
    r.onerror = () => reject(r.error);
  });
}

describe("dataset keys kept in IndexedDB", () => {
  let store: DatasetKeyStore;
  beforeEach(async () => {
    await deleteDb();
    store = await openDatasetKeyStore();
  });
  afterEach(() => store.close());

  it("gives back the saved key, per gateway, owner and transfer, and lists only that owner's", async () => {
    await store.save({ ...ada, transferId: "t1", ref: "train@v1", datasetKey: key(1) });
    await store.save({ ...ada, owner: "bob", transferId: "t1", ref: "train@v1", datasetKey: key(2) });
    await store.save({ ...ada, gateway: "http://127.0.0.1:9090", transferId: "t1", ref: "x@v1", datasetKey: key(3) });
    expect(await store.get(ada, "t1")).toEqual(key(1));
    expect(await store.get({ ...ada, owner: "bob" }, "t1")).toEqual(key(2));
    expect(await store.get(ada, "t2")).toBeUndefined();
    const listed = await store.list(ada);
    expect(listed.map((k) => [k.transferId, k.ref])).toEqual([["t1", "train@v1"]]);
    expect(listed[0]).not.toHaveProperty("datasetKey");
  });

  it("survives reopening, and forgets a removed key", async () => {
    await store.save({ ...ada, transferId: "t1", ref: "train@v1", datasetKey: key(9) });
    store.close();
    store = await openDatasetKeyStore();
    expect(await store.get(ada, "t1")).toEqual(key(9));
    await store.remove(ada, "t1");
    await store.remove(ada, "never-saved");
    expect(await store.get(ada, "t1")).toBeUndefined();
  });

  it("refuses a key that is not 32 bytes and stores nothing", async () => {
    await expect(store.save({ ...ada, transferId: "t1", ref: "a@v1", datasetKey: new Uint8Array(16) })).rejects.toThrow(
      RangeError,
    );
    expect(await store.list(ada)).toEqual([]);
  });
});
