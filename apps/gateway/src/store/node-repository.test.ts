import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { nodeIdOf } from "@cyxwiz/protocol/crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type MetadataStore, openMetadataStore } from "./metadata-store.js";
import type { NewNode } from "./node-repository.js";
import { isStoreError, type StoreErrorCode } from "./store-error.js";

let dir: string;
let store: MetadataStore;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "cyxwiz-nodes-"));
  store = await openMetadataStore({ dataDir: dir });
  await store.users.create({ username: "alice", passwordHash: "x" });
});
afterAll(async () => {
  await store.close();
  await rm(dir, { recursive: true, force: true });
});

const key = () => new Uint8Array(randomBytes(32));
const newNode = (over: Partial<NewNode> = {}): NewNode => ({
  signingPublicKey: key(),
  agreementPublicKey: key(),
  kind: "daemon",
  label: "lab box",
  cores: 8,
  memoryBytes: 16 * 1024 ** 3,
  backend: "cpu",
  region: "eu",
  storageBytes: 10 * 1024 ** 3,
  operator: null,
  ...over,
});

async function rejectsWith(promise: Promise<unknown>, code: StoreErrorCode, message?: RegExp): Promise<void> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(isStoreError(error), `expected a StoreError ${code}, got ${String(error)}`).toBe(true);
  expect((error as { code: string }).code).toBe(code);
  if (message !== undefined) expect((error as Error).message).toMatch(message);
}

describe("registration challenges", () => {
  it("spends a nonce once, tells an expired one from an unknown one, and purges expired ones", async () => {
    const now = new Date();
    const fresh = key();
    const stale = key();
    await store.nodes.createChallenge(fresh, new Date(now.getTime() + 60_000));
    await store.nodes.createChallenge(stale, new Date(now.getTime() - 1_000));
    expect(await store.nodes.spendChallenge(stale, now)).toBe("expired");
    expect(await store.nodes.spendChallenge(stale, now)).toBe("unknown");
    expect(await store.nodes.spendChallenge(fresh, now)).toBe("spent");
    expect(await store.nodes.spendChallenge(fresh, now)).toBe("unknown"); // replayed
    expect(await store.nodes.spendChallenge(key(), now)).toBe("unknown"); // never handed out
    // An expired nonce is purged by any spend, not only its own.
    const other = key();
    await store.nodes.createChallenge(other, new Date(now.getTime() - 1_000));
    await store.nodes.spendChallenge(key(), now);
    expect(await store.nodes.spendChallenge(other, now)).toBe("unknown");
  });

  it("lets two spends of one nonce race and exactly one win", async () => {
    const n = key();
    await store.nodes.createChallenge(n, new Date(Date.now() + 60_000));
    const results = await Promise.all([1, 2, 3].map(() => store.nodes.spendChallenge(n, new Date())));
    expect(results.sort()).toEqual(["spent", "unknown", "unknown"]);
  });

  it("refuses a nonce that is not 32 bytes and a nonce handed out twice", async () => {
    await rejectsWith(store.nodes.createChallenge(new Uint8Array(31), new Date()), "invalid_argument", /nonce/);
    await rejectsWith(store.nodes.spendChallenge(new Uint8Array(33), new Date()), "invalid_argument", /nonce/);
    await rejectsWith(store.nodes.createChallenge(key(), new Date(Number.NaN)), "invalid_argument", /expiresAt/);
    const n = key();
    await store.nodes.createChallenge(n, new Date(Date.now() + 60_000));
    await rejectsWith(store.nodes.createChallenge(n, new Date(Date.now() + 60_000)), "already_exists");
  });
});

describe("nodes", () => {
  it("registers a node under nodeIdOf(its key), idle, reputation 50, session 1", async () => {
    const spec = newNode({ operator: "alice" });
    const node = await store.nodes.register(spec);
    expect(node).toMatchObject({
      nodeId: nodeIdOf(spec.signingPublicKey),
      signingPublicKey: spec.signingPublicKey,
      agreementPublicKey: spec.agreementPublicKey,
      kind: "daemon",
      label: "lab box",
      cores: 8,
      memoryBytes: 16 * 1024 ** 3,
      backend: "cpu",
      region: "eu",
      storageBytes: 10 * 1024 ** 3,
      state: "idle",
      reputation: 50,
      operator: "alice",
      session: 1,
    });
    expect(await store.nodes.get(node.nodeId)).toEqual(node);
    expect((await store.nodes.list()).map((n) => n.nodeId)).toContain(node.nodeId);
  });

  it("re-registering a key replaces its capacity and operator, raises its session, keeps reputation and first registration", async () => {
    const spec = newNode({ operator: "alice" });
    const first = await store.nodes.register(spec);
    await store.nodes.adjustReputation(first.nodeId, -20);
    await store.nodes.setState(first.nodeId, "lost");
    const agreement = key();
    const again = await store.nodes.register({
      ...spec,
      agreementPublicKey: agreement,
      label: "renamed",
      cores: 16,
      backend: "wasm",
      operator: null,
    });
    expect(again).toMatchObject({
      nodeId: first.nodeId,
      agreementPublicKey: agreement,
      label: "renamed",
      cores: 16,
      backend: "wasm",
      operator: null,
      state: "idle",
      session: 2,
      reputation: 30,
      registeredAt: first.registeredAt,
    });
  });

  it("refuses bad input with a message naming it, and stores nothing", async () => {
    const before = await store.nodes.list();
    const cases: Array<[Partial<NewNode>, RegExp]> = [
      [{ signingPublicKey: new Uint8Array(31) }, /signing public key must be 32 bytes/],
      [{ agreementPublicKey: new Uint8Array(33) }, /agreement public key must be 32 bytes/],
      [{ kind: "phone" as never }, /kind must be one of daemon, browser/],
      [{ backend: "cuda" as never }, /backend must be one of webgpu, wasm, cpu/],
      [{ cores: 4097 }, /cores must be an integer in \[0, 4096\]/],
      [{ cores: 1.5 }, /cores/],
      [{ memoryBytes: -1 }, /memory bytes/],
      [{ storageBytes: 2 ** 60 }, /storage bytes/],
      [{ label: "x".repeat(129) }, /label must be at most 128 characters/],
      [{ label: "bad\nlabel" }, /label must not contain control characters/],
      [{ region: "r".repeat(65) }, /region must be at most 64 characters/],
      [{ operator: "Not A User" }, /operator/],
    ];
    for (const [over, message] of cases)
      await rejectsWith(store.nodes.register(newNode(over)), "invalid_argument", message);
    await rejectsWith(store.nodes.register(newNode({ operator: "nobody" })), "not_found", /user nobody not found/);
    expect(await store.nodes.list()).toEqual(before);
    // 128 characters of a label are characters, not UTF-16 units.
    expect((await store.nodes.register(newNode({ label: "🧪".repeat(128) }))).label).toBe("🧪".repeat(128));
  });

  it("takes a heartbeat only from the current session of a live node", async () => {
    const node = await store.nodes.register(newNode());
    const beat = await store.nodes.heartbeat(node.nodeId, 1, "busy");
    expect(beat?.state).toBe("busy");
    expect(beat!.lastHeartbeat.getTime()).toBeGreaterThanOrEqual(node.lastHeartbeat.getTime());
    expect(await store.nodes.heartbeat(node.nodeId, 2, "idle")).toBeUndefined(); // a later session than exists
    const again = await store.nodes.register({ ...newNode(), signingPublicKey: node.signingPublicKey });
    expect(await store.nodes.heartbeat(node.nodeId, 1, "idle")).toBeUndefined(); // superseded
    expect((await store.nodes.heartbeat(node.nodeId, again.session, "idle"))?.state).toBe("idle");
    await store.nodes.setState(node.nodeId, "left");
    expect(await store.nodes.heartbeat(node.nodeId, again.session, "idle")).toBeUndefined();
    await rejectsWith(store.nodes.heartbeat(node.nodeId, again.session, "lost" as never), "invalid_argument", /state/);
    await rejectsWith(store.nodes.heartbeat("node_xyz", 1, "idle"), "invalid_argument", /node id/);
  });

  it("marks silent live nodes lost once, and lists only live ones as live", async () => {
    const a = await store.nodes.register(newNode());
    const b = await store.nodes.register(newNode());
    const gone = await store.nodes.register(newNode());
    await store.nodes.setState(gone.nodeId, "left");
    const future = new Date(Date.now() + 60_000);
    const lost = await store.nodes.markLost(future);
    expect(lost).toEqual(expect.arrayContaining([a.nodeId, b.nodeId]));
    expect(lost).not.toContain(gone.nodeId);
    expect(await store.nodes.markLost(future)).toEqual([]);
    expect((await store.nodes.get(a.nodeId))?.state).toBe("lost");
    expect((await store.nodes.get(gone.nodeId))?.state).toBe("left");
    const c = await store.nodes.register(newNode());
    expect(await store.nodes.markLost(new Date(Date.now() - 60_000))).toEqual([]); // heard from recently
    expect((await store.nodes.live()).map((n) => n.nodeId)).toEqual([c.nodeId]);
  });

  it("keeps reputation within [0, 100]", async () => {
    const node = await store.nodes.register(newNode());
    expect(await store.nodes.adjustReputation(node.nodeId, 30)).toBe(80);
    expect(await store.nodes.adjustReputation(node.nodeId, 30)).toBe(100);
    expect(await store.nodes.adjustReputation(node.nodeId, -250)).toBe(0);
    expect(await store.nodes.adjustReputation(node.nodeId, 2.5)).toBe(2.5);
    await rejectsWith(store.nodes.adjustReputation(node.nodeId, Number.NaN), "invalid_argument", /delta/);
    await rejectsWith(store.nodes.adjustReputation(nodeIdOf(key()), 1), "not_found");
    await rejectsWith(store.nodes.setState(nodeIdOf(key()), "idle"), "not_found");
    await rejectsWith(store.nodes.setState(node.nodeId, "gone" as never), "invalid_argument", /state/);
  });
});
