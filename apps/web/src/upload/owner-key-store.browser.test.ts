import { afterEach, describe, expect, it } from "vitest";
import { OWNER_KEY_BYTES, OWNER_KEYS_DB_NAME, ownerKeyFor } from "./owner-key-store.js";

const GW = "http://127.0.0.1:8080";

afterEach(async () => {
  await new Promise((resolve) => {
    const r = indexedDB.deleteDatabase(OWNER_KEYS_DB_NAME);
    r.onsuccess = r.onerror = r.onblocked = () => resolve(undefined);
  });
});

describe("the owner key for hashing", () => {
  it("is 32 random bytes made once per user and reused, so pseudonyms stay stable across files", async () => {
    const first = await ownerKeyFor("ada", GW);
    expect(first).toHaveLength(OWNER_KEY_BYTES);
    expect(first.some((b) => b !== 0)).toBe(true);
    expect(await ownerKeyFor("ada", GW)).toEqual(first);
    const [a, b] = await Promise.all([ownerKeyFor("grace", GW), ownerKeyFor("grace", GW)]);
    expect(a).toEqual(b);
    expect(a).not.toEqual(first);
  });
});
