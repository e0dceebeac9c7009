import { create } from "@bufbuild/protobuf";
import { loadPrimitives } from "@cyxwiz/protocol/primitives";
import { describe, expect, it } from "vitest";
import { encodeFrame } from "../frame/frame-codec.js";
import { FrameFlag } from "../frame/frame-format.js";
import { AckStatus, DataChunkSchema } from "../gen/cyxwiz/data/v1/data_transfer_pb.js";
import type { Primitives } from "../primitives/primitives.js";
import { storedBytes } from "./chunk-format.js";
import { type FixedChunkLayout, fixedChunkLayout, sampleChunkLayout } from "./chunk-layout.js";
import { createChunkReceiver, type ReceivedChunk, type ReceiverEvent } from "./chunk-receiver.js";
import { pack, testBytes } from "./chunk-test-support.js";
import { checkCommit } from "./manifest-check.js";

const p = await loadPrimitives();
const key = new Uint8Array(32).fill(5);
const statuses = (events: ReceiverEvent[]) =>
  events.flatMap((e) => (e.kind === "ack" ? [AckStatus[e.ack.status]] : []));

async function streamingReceiver(layout: FixedChunkLayout, encrypted: boolean, mayBeCompressed = false) {
  const stored: ReceivedChunk[] = [];
  const made = await createChunkReceiver({
    primitives: p,
    transferId: "s-1",
    streaming: { layout, encrypted, mayBeCompressed },
    store: async (c) => {
      stored.push(c);
    },
  });
  if (!made.ok) throw new Error(made.error.message);
  return { r: made.value, stored };
}

describe("chunk receiver, streaming mode (the manifest comes at commit)", () => {
  it("stores verified chunks, then the committed manifest must match every digest received", async () => {
    const { manifest, frames } = await pack(p, testBytes(7000), {
      chunkSize: 2000,
      key,
      codec: "zstd",
      extraFlags: FrameFlag.REQUIRES_ACK,
    });
    const { r, stored } = await streamingReceiver(fixedChunkLayout(2000, 7000), true, true);
    const events: ReceiverEvent[] = [];
    for (const f of frames) events.push(...(await r.receiveFrame(f)));
    expect(statuses(events)).toEqual(["ACK_OK", "ACK_OK", "ACK_OK", "ACK_OK"]);
    expect(events.at(-1)).toEqual({ kind: "complete" });
    const digests = new Map(stored.map((s) => [s.index, s.digest]));
    const ok = checkCommit(manifest, {
      numChunks: 4,
      encrypted: true,
      digests,
      declaredRoot: manifest.metadata!.merkleRoot,
    });
    expect(ok.ok).toBe(true);
    expect(checkCommit(manifest, { numChunks: 4, encrypted: true, digests: new Map() }).ok).toBe(false);
  });

  it("checkCommit refuses a manifest that does not match what was received", async () => {
    const a = await pack(p, testBytes(7000, 1), { chunkSize: 2000 });
    const b = await pack(p, testBytes(7000, 2), { chunkSize: 2000 });
    const digests = new Map(a.chunks.map((c) => [c.index, c.digest]));
    const code = (r: ReturnType<typeof checkCommit>) => (r.ok ? "ok" : r.error.code);
    expect(code(checkCommit(a.manifest, { numChunks: 4, encrypted: false, digests }))).toBe("ok");
    expect(code(checkCommit(b.manifest, { numChunks: 4, encrypted: false, digests }))).toBe("CYXW_ERR_MANIFEST");
    expect(code(checkCommit(a.manifest, { numChunks: 5, encrypted: false, digests }))).toBe("CYXW_ERR_MANIFEST");
    expect(code(checkCommit(a.manifest, { numChunks: 4, encrypted: true, digests }))).toBe("CYXW_ERR_MANIFEST");
    expect(
      code(
        checkCommit(a.manifest, {
          numChunks: 4,
          encrypted: false,
          digests,
          declaredRoot: b.manifest.metadata!.merkleRoot,
        }),
      ),
    ).toBe("CYXW_ERR_MANIFEST");
    const partial = new Map([...digests].slice(0, 2));
    const incomplete = checkCommit(a.manifest, { numChunks: 4, encrypted: false, digests: partial });
    expect(code(incomplete)).toBe("CYXW_ERR_INCOMPLETE");
    if (!incomplete.ok) expect(incomplete.error.message).toContain("2 of 4 chunks have not been received (2, 3)");
  });

  it("still refuses damaged frames, wrong flags, duplicates and sequences past the end", async () => {
    const { frames, chunks } = await pack(p, testBytes(6000), { chunkSize: 2000, key });
    const { r, stored } = await streamingReceiver(fixedChunkLayout(2000, 6000), true);
    const bad = frames[0]!.slice();
    bad[100]! ^= 1;
    expect(statuses(await r.receiveFrame(bad))).toEqual(["ACK_FCS_ERROR"]);
    const plainFlags = await encodeFrame(p, { sequence: 0, flags: 0, payload: storedBytes(chunks[0]!) });
    expect(statuses(await r.receiveFrame(plainFlags))).toEqual(["ACK_CHECKSUM_MISMATCH"]);
    const compressedFlag = await encodeFrame(p, {
      sequence: 0,
      flags: FrameFlag.ENCRYPTED | FrameFlag.COMPRESSED,
      payload: storedBytes(chunks[0]!),
    });
    expect(statuses(await r.receiveFrame(compressedFlag))).toEqual(["ACK_CHECKSUM_MISMATCH"]);
    await r.receiveFrame(frames[0]!);
    expect(statuses(await r.receiveFrame(frames[0]!))).toEqual(["ACK_DUPLICATE"]);
    const past = await encodeFrame(p, { sequence: 3, flags: FrameFlag.ENCRYPTED, payload: storedBytes(chunks[0]!) });
    expect(statuses(await r.receiveFrame(past))).toEqual(["ACK_OUT_OF_ORDER"]);
    expect(stored.map((s) => s.index)).toEqual([0]);
  });

  it("needs exactly one of manifest or streaming", async () => {
    await expect(createChunkReceiver({ primitives: p, transferId: "x", store: async () => {} })).rejects.toThrow(
      TypeError,
    );
    const bad = await createChunkReceiver({
      primitives: p,
      transferId: "x",
      store: async () => {},
      streaming: { layout: { ...fixedChunkLayout(1, 1), numChunks: 0 }, encrypted: false, mayBeCompressed: false },
    });
    expect(bad.ok).toBe(false);
  });
});

describe("chunk receiver, streaming mode: chunk sizes the layout declares", () => {
  /** Primitives that count the bytes hashed, to show a refused chunk is never hashed. */
  function counting(): { primitives: Primitives; hashed: () => number } {
    let bytes = 0;
    return {
      primitives: {
        name: p.name,
        warnings: p.warnings,
        sha256: (data) => {
          bytes += data.length;
          return p.sha256(data);
        },
        createSha256: async () => {
          const inner = await p.createSha256();
          const stream = {
            update(data: Uint8Array) {
              bytes += data.length;
              inner.update(data);
              return stream;
            },
            digest: () => inner.digest(),
          };
          return stream;
        },
        crc32: (...parts) => {
          for (const part of parts) bytes += part.length;
          return p.crc32(...parts);
        },
        importAesGcmKey: (k) => p.importAesGcmKey(k),
      },
      hashed: () => bytes,
    };
  }
  async function sized(layout: FixedChunkLayout, encrypted: boolean, mayBeCompressed = false) {
    const count = counting();
    const stored: ReceivedChunk[] = [];
    const made = await createChunkReceiver({
      primitives: count.primitives,
      transferId: "s-1",
      streaming: { layout, encrypted, mayBeCompressed },
      store: async (c) => {
        stored.push(c);
      },
    });
    if (!made.ok) throw new Error(made.error.message);
    return { r: made.value, stored, hashed: count.hashed };
  }
  const ackOf = (events: ReceiverEvent[]) => {
    const ack = events.find((e) => e.kind === "ack");
    return ack?.kind === "ack" ? `${AckStatus[ack.ack.status]} ${ack.ack.errorMessage}` : "no ack";
  };
  const ACK = FrameFlag.REQUIRES_ACK;

  it("refuses a 16 MiB frame as chunk 0 of a transfer of 2 one-byte chunks, from its header, unhashed and unstored", async () => {
    const { r, stored, hashed } = await sized(fixedChunkLayout(1, 2), false);
    const huge = await encodeFrame(p, { sequence: 0, flags: ACK, payload: new Uint8Array(16 * 1024 * 1024 - 1024) });
    const events = await r.receiveFrame(huge);
    expect(ackOf(events)).toBe(
      "ACK_CHECKSUM_MISMATCH CYXW_ERR_CHUNK_SIZE: chunk 0 has 16776192 stored bytes; its declared size allows exactly 1",
    );
    expect(events).toContainEqual({ kind: "retransmit", index: 0, reason: "CYXW_ERR_CHUNK_SIZE" });
    // The header alone decides: the same header with no payload behind it is refused the same way.
    expect(ackOf(await r.receiveFrame(huge.subarray(0, 24)))).toMatch(/^ACK_CHECKSUM_MISMATCH CYXW_ERR_CHUNK_SIZE/);
    // Past the last chunk: refused by the transfer's largest chunk (1 byte) as the payload bound.
    const past = await encodeFrame(p, { sequence: 5, flags: ACK, payload: new Uint8Array(2) });
    expect(ackOf(await r.receiveFrame(past))).toMatch(
      /CYXW_ERR_PAYLOAD_TOO_LARGE: frame 5 declares a 2-byte payload; the limit is 1/,
    );
    expect(hashed()).toBe(0);
    expect(stored).toEqual([]);
    expect(r.missingChunks()).toEqual([0, 1]);
    // The right sizes are still taken.
    expect(
      statuses(await r.receiveFrame(await encodeFrame(p, { sequence: 0, flags: ACK, payload: new Uint8Array([7]) }))),
    ).toEqual(["ACK_OK"]);
    const last = await encodeFrame(p, { sequence: 1, flags: ACK | FrameFlag.LAST_FRAME, payload: new Uint8Array([8]) });
    expect(statuses(await r.receiveFrame(last))).toEqual(["ACK_OK"]);
    expect(stored.map((c) => c.storedSize)).toEqual([1, 1]);
  });

  it("takes chunks of whole samples at their own sizes, a later chunk larger than the first, and no other size", async () => {
    const { r, stored } = await sized(sampleChunkLayout(10, [3, 10, 1]), false);
    const frame = (sequence: number, size: number, flags: number = ACK) =>
      encodeFrame(p, { sequence, flags, payload: new Uint8Array(size).fill(sequence + 1) });
    // Chunk 1 may hold 10 bytes although chunk 0 holds 3: the bound is the largest chunk.
    expect(ackOf(await r.receiveFrame(await frame(0, 4)))).toMatch(
      /CYXW_ERR_CHUNK_SIZE: chunk 0 has 4 stored bytes; its declared size allows exactly 3/,
    );
    expect(statuses(await r.receiveFrame(await frame(0, 3)))).toEqual(["ACK_OK"]);
    expect(statuses(await r.receiveFrame(await frame(1, 10)))).toEqual(["ACK_OK"]);
    expect(ackOf(await r.receiveFrame(await frame(2, 11, ACK | FrameFlag.LAST_FRAME)))).toMatch(/CYXW_ERR_/);
    expect(statuses(await r.receiveFrame(await frame(2, 1, ACK | FrameFlag.LAST_FRAME)))).toEqual(["ACK_OK"]);
    expect(stored.map((c) => c.storedSize)).toEqual([3, 10, 1]);
  });

  it("refuses encrypted chunks one byte too large or too small, and a COMPRESSED chunk that did not shrink", async () => {
    const { frames, chunks } = await pack(p, testBytes(5000), { chunkSize: 2000, key, extraFlags: ACK });
    const { r, stored, hashed } = await sized(fixedChunkLayout(2000, 5000), true, true);
    const frame = (i: number, payload: Uint8Array, flags = chunks[i]!.flags | ACK) =>
      encodeFrame(p, { sequence: i, flags, payload });
    const right = storedBytes(chunks[0]!);
    expect(right).toHaveLength(2016);
    const plusOne = new Uint8Array(2017);
    plusOne.set(right);
    expect(ackOf(await r.receiveFrame(await frame(0, plusOne)))).toMatch(
      /CYXW_ERR_CHUNK_SIZE: chunk 0 has 2017 stored bytes; its declared size allows exactly 2016$/,
    );
    expect(ackOf(await r.receiveFrame(await frame(0, right.subarray(0, 2015))))).toMatch(/has 2015 stored bytes/);
    expect(ackOf(await r.receiveFrame(await frame(0, right, chunks[0]!.flags | ACK | FrameFlag.COMPRESSED)))).toMatch(
      /chunk 0 has 2016 stored bytes; its declared size allows 17 to 2015$/,
    );
    // The last chunk holds 1000 bytes: a full-size chunk in its place is refused too.
    expect(ackOf(await r.receiveFrame(await frame(2, right, chunks[2]!.flags | ACK)))).toMatch(/allows exactly 1016$/);
    expect(hashed()).toBe(0);
    expect(stored).toEqual([]);
    const events: ReceiverEvent[] = [];
    for (const f of frames) events.push(...(await r.receiveFrame(f)));
    expect(statuses(events)).toEqual(["ACK_OK", "ACK_OK", "ACK_OK"]);
    expect(stored.map((c) => c.storedSize)).toEqual([2016, 2016, 1016]);
  });

  it("takes correctly sized compressed and encrypted chunks", async () => {
    const { frames, chunks } = await pack(p, testBytes(9000), { chunkSize: 2000, key, codec: "zstd", extraFlags: ACK });
    expect(chunks.filter((c) => c.compressed).length).toBeGreaterThan(0);
    const { r, stored } = await sized(fixedChunkLayout(2000, 9000), true, true);
    const events: ReceiverEvent[] = [];
    for (const f of frames) events.push(...(await r.receiveFrame(f)));
    expect(statuses(events)).toEqual(Array(5).fill("ACK_OK"));
    expect(stored.map((c) => c.storedSize)).toEqual(chunks.map((c) => c.storedSize));
  });

  it("applies the same bounds and the payload limit to StreamData chunks, before their CRC or hash", async () => {
    const { chunks } = await pack(p, testBytes(3000), { chunkSize: 1000 });
    const count = counting();
    const stored: ReceivedChunk[] = [];
    const made = await createChunkReceiver({
      primitives: count.primitives,
      transferId: "s-1",
      streaming: { layout: fixedChunkLayout(1000, 3000), encrypted: false, mayBeCompressed: false },
      maxPayloadBytes: 4096,
      store: async (c) => void stored.push(c),
    });
    if (!made.ok) throw new Error(made.error.message);
    const r = made.value;
    const msg = (i: number, payload: Uint8Array) =>
      create(DataChunkSchema, {
        transferId: "s-1",
        chunkIndex: i,
        sequence: BigInt(i),
        payload,
        fcs: p.crc32(payload),
        checksum: chunks[i]!.digest,
        isLast: i === 2,
      });
    const right = storedBytes(chunks[1]!);
    const longer = new Uint8Array(1001);
    longer.set(right);
    expect(ackOf(await r.receiveDataChunk(msg(1, longer)))).toMatch(
      /^ACK_CHECKSUM_MISMATCH CYXW_ERR_CHUNK_SIZE: chunk 1 has 1001 stored bytes; its declared size allows exactly 1000$/,
    );
    expect(ackOf(await r.receiveDataChunk(msg(1, right.subarray(1))))).toMatch(/chunk 1 has 999 stored bytes/);
    expect(ackOf(await r.receiveDataChunk(msg(1, new Uint8Array(40 * 1024 * 1024))))).toMatch(
      /CYXW_ERR_PAYLOAD_TOO_LARGE: chunk 1 carries a 41943040-byte payload; the limit is 4096/,
    );
    expect(count.hashed()).toBe(0);
    expect(stored).toEqual([]);
    for (const i of [0, 1, 2])
      expect(statuses(await r.receiveDataChunk(msg(i, storedBytes(chunks[i]!))))).toEqual(["ACK_OK"]);
    expect(stored.map((c) => c.storedSize)).toEqual([1000, 1000, 1000]);
  });

  it("without compression a DataChunk must be exactly its plain size; with it, anything from 1 byte up to that", async () => {
    const layout = fixedChunkLayout(1000, 1500);
    const { r: strict } = await sized(layout, false, false);
    const { r: loose, stored } = await sized(layout, false, true);
    const small = new Uint8Array(300).fill(1);
    const msg = (payload: Uint8Array) =>
      create(DataChunkSchema, { transferId: "s-1", chunkIndex: 0, sequence: 0n, payload, fcs: p.crc32(payload) });
    const digest = await p.sha256(small);
    expect(ackOf(await strict.receiveDataChunk({ ...msg(small), checksum: digest }))).toMatch(/allows exactly 1000$/);
    expect(statuses(await loose.receiveDataChunk({ ...msg(small), checksum: digest }))).toEqual(["ACK_OK"]);
    expect(ackOf(await loose.receiveDataChunk({ ...msg(new Uint8Array(0)), chunkIndex: 1, sequence: 1n }))).toMatch(
      /chunk 1 has 0 stored bytes; its declared size allows 1 to 500$/,
    );
    expect(stored.map((c) => c.index)).toEqual([0]);
  });
});
