import { mkdtemp, readdir, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { createJsonFileStateStore } from "./json-file-state-store.node.js";
import { parseTransferState, type TransferState } from "./transfer-state.js";

const root = await mkdtemp(join(tmpdir(), "cyxwiz-state-"));
afterAll(() => rm(root, { recursive: true, force: true }));

const state = {
  format: 1,
  transferId: "tr_1",
  name: "set",
  type: "opaque",
  classification: 0,
  totalSize: 5,
  chunkSize: 4,
  numChunks: 2,
  requestedCodec: "none",
  codec: "none",
  encrypted: false,
  escrow: false,
  createdAt: "2025-01-01T00:00:00.000Z",
  chunks: [null, null],
} satisfies TransferState;

describe("createJsonFileStateStore", () => {
  it("saves, loads and deletes states by key, in a 0700 directory of 0600 files", async () => {
    const dir = join(root, "a", "uploads");
    const store = createJsonFileStateStore(dir);
    expect(await store.load("k/with:odd chars")).toBeUndefined();
    await store.save("k/with:odd chars", state);
    await store.save("other", { ...state, transferId: "tr_2" });
    expect(await store.load("k/with:odd chars")).toEqual(state);
    expect((await store.load("other"))?.transferId).toBe("tr_2");
    expect((await stat(dir)).mode & 0o777).toBe(0o700);
    const files = await readdir(dir);
    expect(files).toHaveLength(2);
    for (const f of files) {
      expect(f).toMatch(/^[0-9a-f]{64}\.json$/);
      expect((await stat(join(dir, f))).mode & 0o777).toBe(0o600);
    }
    await store.delete("k/with:odd chars");
    await store.delete("never saved");
    expect(await store.load("k/with:odd chars")).toBeUndefined();
    expect(await readdir(dir)).toHaveLength(1);
  });

  it("hands back a damaged file as something the session will discard", async () => {
    const dir = join(root, "b");
    const store = createJsonFileStateStore(dir);
    await store.save("k", state);
    const [file] = await readdir(dir);
    await writeFile(join(dir, file!), "{ not json");
    expect(parseTransferState(await store.load("k")).ok).toBe(false);
  });
});
