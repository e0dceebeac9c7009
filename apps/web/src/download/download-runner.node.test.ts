/**
 * The download worker's logic against the client package's fake gateway (over real HTTP): keys
 * from the browser's store or a recovery key, chunks handed over one write at a time, a damaged
 * chunk named, cancel.
 */
import { connectGateway, createUploadSession } from "@cyxwiz/client";
import { type FakeGateway, startFakeGateway } from "@cyxwiz/client/testing";
import { prepareSamples } from "@cyxwiz/datasets/pack";
import { decodeSampleChunk } from "@cyxwiz/datasets/samples";
import { bytesByteSource } from "@cyxwiz/protocol/chunk";
import { loadPrimitives } from "@cyxwiz/protocol/primitives";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DatasetKeyStore } from "../keys/dataset-key-store.js";
import { createDownloadRunner } from "./download-runner.js";
import type { DownloadGateway, DownloadWorkerToPage, PageToDownloadWorker } from "./download-worker-protocol.js";

const primitives = loadPrimitives();
let gw: FakeGateway;
let gateway: DownloadGateway;
beforeAll(async () => {
  gw = await startFakeGateway({ window: 4 });
  gateway = { baseUrl: gw.url, token: gw.token, owner: "ada" };
});
afterAll(() => gw.close());

const bytes = (n: number, seed: number) => Uint8Array.from({ length: n }, (_, i) => (i * 31 + seed) & 0xff);

/** Uploads `data` in 8 KiB chunks; returns its ref and transfer id. */
async function upload(data: Uint8Array, datasetKey?: Uint8Array) {
  const name = `dl-${Math.random().toString(36).slice(2)}`;
  const result = await createUploadSession({
    clients: connectGateway({ baseUrl: gw.url, token: gw.token }),
    primitives: await primitives,
    source: bytesByteSource(data),
    name,
    chunkSize: 8192,
    ...(datasetKey === undefined ? {} : { encrypt: true, datasetKey }),
  }).run();
  return { ref: result.version.ref, transferId: result.version.transferId };
}

/** A key store holding `keys` by transfer id, for owner "ada" at the fake. */
function keyStore(keys: Map<string, Uint8Array>): () => Promise<DatasetKeyStore> {
  return async () => ({
    save: async () => undefined,
    get: async (who, transferId) =>
      who.owner === "ada" && who.gateway === gw.url ? keys.get(transferId)?.slice() : undefined,
    list: async () => [],
    remove: async () => undefined,
    close: () => undefined,
  });
}

/**
 * Plays the page: keeps what the worker posts and writes each chunk (answers "written") unless
 * `hold` says to keep it waiting. Resolves with the posts once the download ends.
 */
function playPage(openKeys = keyStore(new Map()), hold: (index: number) => boolean = () => false) {
  const posts: DownloadWorkerToPage[] = [];
  let finish: (posts: DownloadWorkerToPage[]) => void = () => undefined;
  const ended = new Promise<DownloadWorkerToPage[]>((r) => {
    finish = r;
  });
  const runner = createDownloadRunner({
    primitives,
    openKeys,
    post: (m) => {
      posts.push(m);
      if (m.kind === "chunk" && !hold(m.index))
        queueMicrotask(() => runner.handle({ kind: "written", id: m.id, index: m.index }));
      if (m.kind === "done" || m.kind === "failed" || m.kind === "cancelled") finish(posts);
    },
  });
  const start = (m: Omit<Extract<PageToDownloadWorker, { kind: "start" }>, "kind" | "id" | "gateway">) =>
    runner.handle({ kind: "start", id: "d1", gateway, ...m });
  return { runner, posts, ended, start };
}

const joined = (posts: DownloadWorkerToPage[]) =>
  Uint8Array.from(posts.flatMap((m) => (m.kind === "chunk" ? [...m.bytes] : [])));

describe("the download worker's runner", () => {
  it("hands over a plain version chunk by chunk, the next only once the last is written", async () => {
    const data = bytes(20_000, 1);
    const v = await upload(data);
    const page = playPage(undefined, (index) => index === 0);
    page.start({ ...v, encrypted: false });
    await expect.poll(() => page.posts.filter((m) => m.kind === "chunk").length).toBe(1);
    await new Promise((r) => setTimeout(r, 150));
    expect(page.posts.filter((m) => m.kind === "chunk").length).toBe(1); // waits for the page
    page.runner.handle({ kind: "written", id: "d1", index: 0 });
    const posts = await page.ended;
    expect(posts.filter((m) => m.kind === "chunk").map((m) => (m.kind === "chunk" ? m.index : -1))).toEqual([0, 1, 2]);
    expect(joined(posts)).toEqual(data);
    expect(posts.at(-1)).toEqual({ kind: "done", id: "d1", bytes: data.length });
    expect(posts.some((m) => m.kind === "progress")).toBe(true);
  });

  it("decrypts with the key this browser keeps, or with a recovery key; says when neither is there or the key is wrong", async () => {
    const key = crypto.getRandomValues(new Uint8Array(32));
    const data = bytes(12_000, 2);
    const v = await upload(data, key);

    const kept = playPage(keyStore(new Map([[v.transferId, key]])));
    kept.start({ ...v, encrypted: true });
    expect(joined(await kept.ended)).toEqual(data);

    const recovery = playPage();
    recovery.start({ ...v, encrypted: true, recoveryKey: key.slice() });
    expect(joined(await recovery.ended)).toEqual(data);

    const none = playPage();
    none.start({ ...v, encrypted: true });
    expect((await none.ended).at(-1)).toMatchObject({
      kind: "failed",
      failure: "key",
      message: expect.stringContaining("not kept in this browser"),
    });

    const wrong = playPage();
    wrong.start({ ...v, encrypted: true, recoveryKey: new Uint8Array(32).fill(7) });
    const last = (await wrong.ended).at(-1);
    expect(last).toMatchObject({
      kind: "failed",
      failure: "key",
      message: expect.stringContaining("not this dataset's key"),
    });
    expect(wrong.posts.some((m) => m.kind === "chunk")).toBe(false);
  });

  it("names the chunk that fails verification", async () => {
    const v = await upload(bytes(30_000, 3));
    gw.damageStoredChunk(v.ref, 2);
    const page = playPage();
    page.start({ ...v, encrypted: false });
    const posts = await page.ended;
    expect(posts.at(-1)).toMatchObject({ kind: "failed", failure: "integrity", chunkIndex: 2 });
    expect((posts.at(-1) as { message: string }).message).toContain("chunk 2 of");
    expect(posts.filter((m) => m.kind === "chunk").length).toBe(2);
  });

  it("cancel stops it while the page is still writing: cancelled, and no chunk after", async () => {
    const v = await upload(bytes(40_000, 4));
    const page = playPage(undefined, (index) => index === 1);
    page.start({ ...v, encrypted: false });
    await expect.poll(() => page.posts.filter((m) => m.kind === "chunk").length).toBe(2);
    page.runner.handle({ kind: "cancel", id: "d1" });
    const posts = await page.ended;
    expect(posts.at(-1)).toEqual({ kind: "cancelled", id: "d1" });
    expect(posts.filter((m) => m.kind === "chunk").length).toBe(2);
  });

  it("previews chunk 0 of a dataset of samples, and saves the whole of it as one Arrow file", async () => {
    const csv = `n,label\n${Array.from({ length: 400 }, (_, i) => `${i},${i % 2 ? "odd" : "even"}`).join("\n")}\n`;
    const prepared = await prepareSamples([{ path: "n.csv", source: bytesByteSource(new TextEncoder().encode(csv)) }], {
      chunkSize: 2048,
    });
    expect(prepared.chunks.length).toBeGreaterThan(2);
    const key = crypto.getRandomValues(new Uint8Array(32));
    const name = `samples-${Math.random().toString(36).slice(2)}`;
    const result = await createUploadSession({
      clients: connectGateway({ baseUrl: gw.url, token: gw.token }),
      primitives: await primitives,
      source: prepared.source,
      samples: { plainSizes: prepared.plainSizes, layout: prepared.layout },
      name,
      chunkSize: 2048,
      encrypt: true,
      datasetKey: key,
    }).run();
    const v = { ref: result.version.ref, transferId: result.version.transferId };

    const preview = playPage(keyStore(new Map([[v.transferId, key]])));
    preview.runner.handle({ kind: "preview", id: "p1", gateway, ...v, encrypted: true });
    await expect.poll(() => preview.posts.length).toBe(1);
    const got = preview.posts[0]!;
    if (got.kind !== "preview") throw new Error(JSON.stringify(got));
    expect(got.firstChunk).toEqual(prepared.chunks[0]);
    expect(Number(got.manifest.samples?.numSamples)).toBe(400);

    const noKey = playPage();
    noKey.runner.handle({ kind: "preview", id: "p2", gateway, ...v, encrypted: true });
    await expect.poll(() => noKey.posts.length).toBe(1);
    expect(noKey.posts[0]).toMatchObject({ kind: "failed", failure: "key" });

    const arrowFile = playPage(keyStore(new Map([[v.transferId, key]])));
    arrowFile.start({ ...v, encrypted: true, arrow: true });
    const posts = await arrowFile.ended;
    const chunks = posts.filter((m) => m.kind === "chunk");
    expect(chunks).toHaveLength(1);
    const table = decodeSampleChunk(joined(posts));
    expect(table.numRows).toBe(400);
    expect(table.getChild("n")?.get(399)).toBe(399n);
    expect(posts.at(-1)).toEqual({ kind: "done", id: "d1", bytes: joined(posts).length });
  });

  it("a preview of a damaged chunk 0 fails as integrity, naming the chunk", async () => {
    const v = await upload(bytes(20_000, 5));
    gw.damageStoredChunk(v.ref, 0);
    const page = playPage();
    page.runner.handle({ kind: "preview", id: "p3", gateway, ...v, encrypted: false });
    await expect.poll(() => page.posts.length).toBe(1);
    expect(page.posts[0]).toMatchObject({ kind: "failed", failure: "integrity", chunkIndex: 0 });
  });
});
