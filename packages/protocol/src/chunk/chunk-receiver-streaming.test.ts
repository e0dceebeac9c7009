import { loadPrimitives } from "@cyxwiz/protocol/primitives";
import { describe, expect, it } from "vitest";
import { encodeFrame } from "../frame/frame-codec.js";
import { FrameFlag } from "../frame/frame-format.js";
import { AckStatus } from "../gen/cyxwiz/data/v1/data_transfer_pb.js";
import { storedBytes } from "./chunk-format.js";
import { createChunkReceiver, type ReceivedChunk, type ReceiverEvent } from "./chunk-receiver.js";
import { pack, testBytes } from "./chunk-test-support.js";
import { checkCommit } from "./manifest-check.js";

const p = await loadPrimitives();
const key = new Uint8Array(32).fill(5);
const statuses = (events: ReceiverEvent[]) =>
  events.flatMap((e) => (e.kind === "ack" ? [AckStatus[e.ack.status]] : []));

async function streamingReceiver(numChunks: number, encrypted: boolean, mayBeCompressed = false) {
  const stored: ReceivedChunk[] = [];
  const made = await createChunkReceiver({
    primitives: p,
    transferId: "s-1",
    streaming: { numChunks, encrypted, mayBeCompressed },
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
    const { r, stored } = await streamingReceiver(4, true, true);
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
    const { r, stored } = await streamingReceiver(3, true);
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
      streaming: { numChunks: 0, encrypted: false, mayBeCompressed: false },
    });
    expect(bad.ok).toBe(false);
  });
});
