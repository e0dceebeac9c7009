import { create } from "@bufbuild/protobuf";
import { loadPrimitives } from "@cyxwiz/protocol/primitives";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { createChunkCipher } from "../crypto/index.js";
import { encodeFrame } from "../frame/frame-codec.js";
import { FrameFlag } from "../frame/frame-format.js";
import { AckStatus, DataChunkSchema } from "../gen/cyxwiz/data/v1/data_transfer_pb.js";
import { MerkleTree } from "../merkle/index.js";
import { storedBytes } from "./chunk-format.js";
import {
  type ChunkReceiverOptions,
  createChunkReceiver,
  type ReceivedChunk,
  type ReceiverEvent,
} from "./chunk-receiver.js";
import { pack, testBytes } from "./chunk-test-support.js";

const p = await loadPrimitives();
const key = new Uint8Array(32).fill(3);
const ACK = FrameFlag.REQUIRES_ACK;

async function receiver(manifest: ChunkReceiverOptions["manifest"], extra: Partial<ChunkReceiverOptions> = {}) {
  const stored: ReceivedChunk[] = [];
  const made = await createChunkReceiver({
    primitives: p,
    manifest,
    transferId: "t-1",
    store: async (c) => {
      stored.push(c);
    },
    ...extra,
  });
  if (!made.ok) throw new Error(made.error.message);
  return { r: made.value, stored };
}

const statuses = (events: ReceiverEvent[]) =>
  events.flatMap((e) => (e.kind === "ack" ? [AckStatus[e.ack.status]] : []));
const kinds = (events: ReceiverEvent[]) => events.map((e) => e.kind);

describe("chunk receiver: the seed's 7-step verification", () => {
  it("accepts every frame in order, acks after storing, and completes with the declared root", async () => {
    const data = testBytes(20_000);
    const { manifest, frames } = await pack(p, data, { chunkSize: 4096, key, codec: "zstd", extraFlags: ACK });
    const c = await createChunkCipher(p, key, manifest.cipher);
    if (!c.ok) throw new Error();
    const { r, stored } = await receiver(manifest, { cipher: c.value });
    const all: ReceiverEvent[] = [];
    for (const f of frames) all.push(...(await r.receiveFrame(f)));
    expect(statuses(all)).toEqual(Array(5).fill("ACK_OK"));
    expect(all.at(-1)).toEqual({ kind: "complete", merkleRoot: manifest.metadata!.merkleRoot });
    expect(r.complete).toBe(true);
    expect(r.missingChunks()).toEqual([]);
    const plain = new Uint8Array(stored.reduce((n, s) => n + s.plaintext!.length, 0));
    let at = 0;
    for (const s of stored) {
      plain.set(s.plaintext!, at);
      at += s.plaintext!.length;
    }
    expect(plain).toEqual(data);
    // what is stored is the ciphertext, content-addressed by its digest
    for (const s of stored) expect(s.digest).toEqual(manifest.chunkDigests[s.index]);
  });

  it("without the key it verifies and stores ciphertext, skipping decryption", async () => {
    const { manifest, frames } = await pack(p, testBytes(9000), { chunkSize: 4096, key });
    const { r, stored } = await receiver(manifest);
    for (const f of frames) await r.receiveFrame(f);
    expect(r.complete).toBe(true);
    expect(stored.every((s) => s.plaintext === undefined)).toBe(true);
  });

  it("buffers frames ahead within the window and delivers them in order", async () => {
    const { manifest, frames } = await pack(p, testBytes(6 * 1000), { chunkSize: 1000, extraFlags: ACK });
    const { r, stored } = await receiver(manifest, { reorderWindow: 4 });
    expect(await r.receiveFrame(frames[2]!)).toEqual([]);
    expect(await r.receiveFrame(frames[1]!)).toEqual([]);
    const ev = await r.receiveFrame(frames[0]!);
    expect(kinds(ev)).toEqual(["durable", "ack", "durable", "ack", "durable", "ack"]);
    expect(stored.map((s) => s.index)).toEqual([0, 1, 2]);
    // chunk 3 + 4 = index 7 is beyond the window of 4 from the next expected (3)
    const far = await pack(p, testBytes(12 * 1000), { chunkSize: 1000 });
    const { r: r2 } = await receiver(far.manifest, { reorderWindow: 4 });
    const refused = await r2.receiveFrame(far.frames[4]!);
    expect(statuses(refused)).toEqual(["ACK_OUT_OF_ORDER"]);
  });

  it("keeps no reference to a frame's bytes once receiveFrame settles, so a caller may reuse its buffer", async () => {
    const { manifest, frames } = await pack(p, testBytes(6 * 1000), { chunkSize: 1000, extraFlags: ACK });
    const written: Array<{ index: number; digest: Uint8Array }> = [];
    const { r } = await receiver(manifest, {
      reorderWindow: 4,
      // What a blob store writes is what the chunk's parts hold while store() runs.
      store: async (c) => {
        written.push({ index: c.index, digest: await p.sha256(storedBytes(c)) });
      },
    });
    const reused = new Uint8Array(Math.max(...frames.map((f) => f.length)));
    // 2 and 1 arrive early and wait for 0; each arrives in the buffer the one before it used.
    for (const i of [2, 1, 0, 3, 4, 5]) {
      const f = frames[i]!;
      reused.set(f);
      await r.receiveFrame(reused.subarray(0, f.length));
      reused.fill(0xee); // the caller's next use of its buffer
    }
    expect(r.complete).toBe(true);
    expect(written.map((w) => w.index)).toEqual([0, 1, 2, 3, 4, 5]);
    for (const w of written) expect(w.digest).toEqual(manifest.chunkDigests[w.index]);
  });

  it("drops duplicates and replays, including after completion", async () => {
    const { manifest, frames } = await pack(p, testBytes(3000), { chunkSize: 1000 });
    const { r, stored } = await receiver(manifest);
    await r.receiveFrame(frames[0]!);
    expect(statuses(await r.receiveFrame(frames[0]!))).toEqual(["ACK_DUPLICATE"]);
    await r.receiveFrame(frames[2]!); // buffered
    // Not durable yet: no ACK_DUPLICATE for its copy; chunk 2 is acked when it is stored.
    expect(await r.receiveFrame(frames[2]!)).toEqual([]);
    expect(r.missingChunks()).toEqual([1, 2]);
    await r.receiveFrame(frames[1]!);
    expect(r.complete).toBe(true);
    expect(statuses(await r.receiveFrame(frames[1]!))).toEqual(["ACK_DUPLICATE"]);
    expect(stored.map((s) => s.index)).toEqual([0, 1, 2]);
  });

  it("refuses a damaged frame with the right AckStatus, asks for it again, and accepts the retransmission", async () => {
    const { manifest, frames } = await pack(p, testBytes(3000), { chunkSize: 1000, extraFlags: ACK });
    const { r, stored } = await receiver(manifest);
    const bad = frames[0]!.slice();
    bad[30]! ^= 0x04;
    const ev = await r.receiveFrame(bad);
    expect(statuses(ev)).toEqual(["ACK_FCS_ERROR"]);
    expect(ev).toContainEqual({ kind: "retransmit", index: 0, reason: "CYXW_ERR_FCS" });
    expect(stored).toEqual([]);
    const retransmit = await encodeFrame(p, {
      sequence: 0,
      flags: (manifest.compressed[0] ? FrameFlag.COMPRESSED : 0) | ACK | FrameFlag.RETRANSMIT,
      payload: frames[0]!.subarray(24, frames[0]!.length - 36),
    });
    expect(statuses(await r.receiveFrame(retransmit))).toEqual(["ACK_OK"]);
    expect(stored.map((s) => s.index)).toEqual([0]);
  });

  it("refuses a well-formed frame whose chunk is not the declared one (Merkle proof), and mismatched flags", async () => {
    const a = await pack(p, testBytes(3000, 1), { chunkSize: 1000 });
    const b = await pack(p, testBytes(3000, 2), { chunkSize: 1000 });
    const { r, stored } = await receiver(a.manifest);
    const ev = await r.receiveFrame(b.frames[0]!);
    expect(statuses(ev)).toEqual(["ACK_CHECKSUM_MISMATCH"]);
    expect((ev[0] as { ack: { errorMessage: string } }).ack.errorMessage).toMatch(/^CYXW_ERR_MERKLE_PROOF/);
    const wrongFlags = await encodeFrame(p, {
      sequence: 0,
      flags: FrameFlag.ENCRYPTED,
      payload: storedBytes(a.chunks[0]!),
    });
    const ev2 = await r.receiveFrame(wrongFlags);
    expect((ev2[0] as { ack: { errorMessage: string } }).ack.errorMessage).toMatch(/^CYXW_ERR_FLAGS_MISMATCH/);
    expect(stored).toEqual([]);
  });

  it("refuses chunks that do not decrypt under the dataset key at their index", async () => {
    const { manifest, frames } = await pack(p, testBytes(3000), { chunkSize: 1000, key });
    const c = await createChunkCipher(p, key, manifest.cipher);
    if (!c.ok) throw new Error();
    // Same key, other parameters: the ciphertext is well formed but not this stream's.
    const other = await pack(p, testBytes(3000), { chunkSize: 1000, key });
    const { r, stored } = await receiver(
      {
        ...manifest,
        chunkDigests: [other.manifest.chunkDigests[0]!, ...manifest.chunkDigests.slice(1)],
        metadata: {
          ...manifest.metadata!,
          merkleRoot: MerkleTree.fromDigests([other.manifest.chunkDigests[0]!, ...manifest.chunkDigests.slice(1)]).root,
        },
      },
      { cipher: c.value },
    );
    const ev = await r.receiveFrame(other.frames[0]!);
    expect(statuses(ev)).toEqual(["ACK_DECRYPT_ERROR"]);
    expect(ev).toContainEqual({ kind: "retransmit", index: 0, reason: "CYXW_ERR_DECRYPT" });
    expect(stored).toEqual([]);
    // and the genuine chunk 1 still goes through
    expect(statuses(await r.receiveFrame(frames[1]!))).toEqual([]);
  });

  it("resumes: chunks already durable are not expected again and show in missingChunks", async () => {
    const { manifest, frames } = await pack(p, testBytes(5000), { chunkSize: 1000 });
    const { r, stored } = await receiver(manifest, { durable: [0, 1, 3] });
    expect(r.missingChunks()).toEqual([2, 4]);
    expect(statuses(await r.receiveFrame(frames[1]!))).toEqual(["ACK_DUPLICATE"]);
    await r.receiveFrame(frames[2]!);
    const last = await r.receiveFrame(frames[4]!);
    expect(kinds(last)).toContain("complete");
    expect(stored.map((s) => s.index)).toEqual([2, 4]);
  });

  it("never acks a chunk its store failed to make durable", async () => {
    const { manifest, frames } = await pack(p, testBytes(2000), { chunkSize: 1000, extraFlags: ACK });
    const made = await createChunkReceiver({
      primitives: p,
      manifest,
      transferId: "t",
      store: async () => {
        throw new Error("disk full");
      },
    });
    if (!made.ok) throw new Error();
    await expect(made.value.receiveFrame(frames[0]!)).rejects.toThrow("disk full");
    expect(made.value.missingChunks()).toEqual([0, 1]);
  });

  it("refuses to start on an inconsistent manifest", async () => {
    const { manifest } = await pack(p, testBytes(2000), { chunkSize: 1000 });
    const made = await createChunkReceiver({
      primitives: p,
      manifest: { ...manifest, plainSizes: [1000] },
      transferId: "t",
      store: async () => {},
    });
    expect(made.ok ? "ok" : made.error.code).toBe("CYXW_ERR_MANIFEST");
  });
});

describe("chunk receiver: the StreamData RPC form", () => {
  it("verifies DataChunk fcs, checksum, transfer and an explicit Merkle proof", async () => {
    const { manifest, chunks } = await pack(p, testBytes(4000), { chunkSize: 1000 });
    const tree = MerkleTree.fromDigests(manifest.chunkDigests);
    const { r, stored } = await receiver(manifest);
    const msg = (i: number, patch: Record<string, unknown> = {}) =>
      create(DataChunkSchema, {
        transferId: "t-1",
        chunkIndex: i,
        sequence: BigInt(i),
        payload: storedBytes(chunks[i]!),
        fcs: p.crc32(storedBytes(chunks[i]!)),
        checksum: chunks[i]!.digest,
        merkleProof: [...tree.proof(i).path],
        isLast: i === 3,
        ...patch,
      });
    expect(statuses(await r.receiveDataChunk(msg(0)))).toEqual(["ACK_OK"]);
    expect(statuses(await r.receiveDataChunk(msg(1, { fcs: 1 })))).toEqual(["ACK_FCS_ERROR"]);
    expect(statuses(await r.receiveDataChunk(msg(1, { checksum: new Uint8Array(32) })))).toEqual([
      "ACK_CHECKSUM_MISMATCH",
    ]);
    expect(statuses(await r.receiveDataChunk(msg(1, { merkleProof: [...tree.proof(2).path] })))).toEqual([
      "ACK_CHECKSUM_MISMATCH",
    ]);
    expect(statuses(await r.receiveDataChunk(msg(1, { transferId: "someone-else" })))).toEqual([
      "ACK_CHECKSUM_MISMATCH",
    ]);
    for (const i of [1, 2, 3]) await r.receiveDataChunk(msg(i));
    expect(r.complete).toBe(true);
    expect(stored.map((s) => s.index)).toEqual([0, 1, 2, 3]);
  });
});

describe("chunk receiver: chunk sizes in full mode", () => {
  it("refuses a DataChunk or frame whose size the manifest's plain size does not allow, before storing it", async () => {
    const { manifest, chunks } = await pack(p, testBytes(3000), { chunkSize: 1000, key });
    const { r, stored } = await receiver(manifest);
    const payload = new Uint8Array(1017);
    payload.set(storedBytes(chunks[0]!));
    const chunk = create(DataChunkSchema, {
      transferId: "t-1",
      chunkIndex: 0,
      sequence: 0n,
      payload,
      fcs: p.crc32(payload),
      checksum: await p.sha256(payload),
    });
    const events = await r.receiveDataChunk(chunk);
    expect(statuses(events)).toEqual(["ACK_CHECKSUM_MISMATCH"]);
    expect(events[0]!.kind === "ack" && events[0]!.ack.errorMessage).toMatch(
      /^CYXW_ERR_CHUNK_SIZE: chunk 0 has 1017 stored bytes; its declared size allows exactly 1016$/,
    );
    const frame = await encodeFrame(p, { sequence: 0, flags: chunks[0]!.flags | ACK, payload });
    expect(statuses(await r.receiveFrame(frame))).toEqual(["ACK_CHECKSUM_MISMATCH"]);
    expect(stored).toEqual([]);
  });
});

describe("chunk receiver: properties", () => {
  it("any arrival order within the window, with duplicates, ends complete with the exact data", async () => {
    const data = testBytes(8 * 500, 9);
    const { manifest, frames } = await pack(p, data, { chunkSize: 500, key });
    const c = await createChunkCipher(p, key, manifest.cipher);
    if (!c.ok) throw new Error();
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.integer({ min: 0, max: 7 }), { maxLength: 30 }),
        fc.boolean(),
        async (noise, shuffle) => {
          const { r, stored } = await receiver(manifest, { cipher: c.value, reorderWindow: 8 });
          const order = [...noise, ...(shuffle ? [7, 6, 5, 4, 3, 2, 1, 0] : [0, 1, 2, 3, 4, 5, 6, 7])];
          for (const i of order) await r.receiveFrame(frames[i]!);
          expect(r.complete).toBe(true);
          expect(stored.map((s) => s.index)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
        },
      ),
      { numRuns: 60 },
    );
  });

  it("fuzz: mutated frames never throw, and only the declared chunks are ever stored", async () => {
    const { manifest, frames } = await pack(p, testBytes(4 * 300, 5), { chunkSize: 300, key });
    const c = await createChunkCipher(p, key, manifest.cipher);
    if (!c.ok) throw new Error();
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.tuple(
            fc.integer({ min: 0, max: 3 }),
            fc.nat(),
            fc.integer({ min: 0, max: 255 }),
            fc.integer({ min: -5, max: 5 }),
          ),
          { minLength: 1, maxLength: 12 },
        ),
        async (mutations) => {
          const { r, stored } = await receiver(manifest, { cipher: c.value });
          for (const [i, at, value, cut] of mutations) {
            const f = frames[i]!.slice();
            f[at % f.length] = value;
            const len = Math.max(0, f.length + cut);
            const m = new Uint8Array(len);
            m.set(f.subarray(0, Math.min(len, f.length)));
            await r.receiveFrame(m);
          }
          for (const s of stored) expect(s.digest).toEqual(manifest.chunkDigests[s.index]);
        },
      ),
      { numRuns: 150 },
    );
  });
});

describe("chunk receiver: concurrent stores", () => {
  /** A store whose writes finish only when the test says so (or fail, for the indexes in `failing`). */
  function gatedStore(failing: Set<number> = new Set()) {
    const started: number[] = [];
    const finishers = new Map<number, () => void>();
    const store = (c: ReceivedChunk) =>
      new Promise<void>((resolve, reject) => {
        started.push(c.index);
        finishers.set(c.index, () => (failing.has(c.index) ? reject(new Error(`disk full at ${c.index}`)) : resolve()));
      });
    const finish = (i: number) => finishers.get(i)!();
    return { store, started, finish };
  }
  /** Lets every pending promise and I/O callback run (hashing may go through the thread pool). */
  const turns = async () => {
    for (let t = 0; t < 5; t++) await new Promise((r) => setTimeout(r, 2));
  };

  it("verifies the next frames while earlier chunks are still being written, and acks each only once durable", async () => {
    const { manifest, frames } = await pack(p, testBytes(5 * 1000), { chunkSize: 1000, extraFlags: ACK });
    const gate = gatedStore();
    const { r } = await receiver(manifest, { store: gate.store, maxConcurrentStores: 3 });
    const results = frames.map((f) => r.receiveFrame(f));
    const settled = new Set<number>();
    for (const [i, result] of results.entries()) void result.then(() => settled.add(i));
    await turns();
    expect(gate.started).toEqual([0, 1, 2]); // three in flight; the fourth waits for room
    expect(settled.size).toBe(0); // nothing acked before it is durable
    expect(r.chunksDurable).toBe(0);
    gate.finish(1);
    await turns();
    expect([...settled]).toEqual([1]);
    expect(gate.started).toEqual([0, 1, 2, 3]);
    expect(statuses(await results[1]!)).toEqual(["ACK_OK"]);
    for (const i of [0, 2, 3]) gate.finish(i);
    await turns();
    expect(gate.started).toEqual([0, 1, 2, 3, 4]);
    gate.finish(4);
    const last = await results[4]!;
    expect(kinds(last)).toEqual(["durable", "ack", "complete"]);
    expect(r.complete).toBe(true);
  });

  it("a duplicate of a chunk being written is answered once that write is done, and never stored twice", async () => {
    const { manifest, frames } = await pack(p, testBytes(3000), { chunkSize: 1000, extraFlags: ACK });
    const failing = new Set<number>();
    const gate = gatedStore(failing);
    const { r } = await receiver(manifest, { store: gate.store, maxConcurrentStores: 2 });
    const first = r.receiveFrame(frames[0]!);
    await turns();
    let answered = false;
    const copy = r.receiveFrame(frames[0]!).then((events) => {
      answered = true;
      return events;
    });
    await turns();
    expect(answered).toBe(false); // ACK_DUPLICATE would promise a durability not there yet
    gate.finish(0);
    expect(statuses(await first)).toEqual(["ACK_OK"]);
    expect(statuses(await copy)).toEqual(["ACK_DUPLICATE"]);
    expect(gate.started).toEqual([0]);

    // when the earlier write fails, the copy is refused with a retransmit request instead
    failing.add(1);
    const second = r.receiveFrame(frames[1]!);
    await turns();
    const secondCopy = r.receiveFrame(frames[1]!);
    await turns();
    gate.finish(1);
    await expect(second).rejects.toThrow(/disk full at 1/);
    const refused = await secondCopy;
    expect(statuses(refused)).toEqual(["ACK_OUT_OF_ORDER"]);
    expect(kinds(refused)).toEqual(["ack", "retransmit"]);
    expect(r.missingChunks()).toEqual([1, 2]);
  });

  it("a failed store leaves its chunk missing and expected again, while the others become durable", async () => {
    const { manifest, frames } = await pack(p, testBytes(3000), { chunkSize: 1000, extraFlags: ACK });
    const failing = new Set([1]);
    const gate = gatedStore(failing);
    const { r } = await receiver(manifest, { store: gate.store, maxConcurrentStores: 3 });
    const results = frames.map((f) => r.receiveFrame(f));
    await turns();
    for (const i of [0, 1, 2]) gate.finish(i);
    expect(statuses(await results[0]!)).toEqual(["ACK_OK"]);
    await expect(results[1]!).rejects.toThrow(/disk full at 1/);
    expect(statuses(await results[2]!)).toEqual(["ACK_OK"]);
    expect(r.missingChunks()).toEqual([1]);
    expect(r.complete).toBe(false);
    failing.clear(); // the disk has room again
    const retransmitted = r.receiveFrame(frames[1]!);
    await turns();
    expect(gate.started).toEqual([0, 1, 2, 1]);
    gate.finish(1);
    expect(kinds(await retransmitted)).toEqual(["durable", "ack", "complete"]);
    expect(r.missingChunks()).toEqual([]);
  });

  it("rejects a concurrency that is not an integer from 1 to 1024", async () => {
    const { manifest } = await pack(p, testBytes(10), { chunkSize: 1000 });
    await expect(receiver(manifest, { maxConcurrentStores: 0 })).rejects.toThrow(RangeError);
  });
});
