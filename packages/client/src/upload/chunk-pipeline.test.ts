import { bytesByteSource, type ChunkPacker, createChunkPacker } from "@cyxwiz/protocol/chunk";
import { decodeFrame, FrameFlag } from "@cyxwiz/protocol/frame";
import { loadPrimitives } from "@cyxwiz/protocol/primitives";
import { describe, expect, it } from "vitest";
import { testBytes } from "../../test-support/test-bytes.js";
import { createChunkPipeline, READ_AHEAD } from "./chunk-pipeline.js";

const primitives = await loadPrimitives();

function countingPacker(): { packer: ChunkPacker; packed: number[] } {
  const inner = createChunkPacker(primitives, bytesByteSource(testBytes(10_000)), { chunkSize: 1000 });
  const packed: number[] = [];
  return {
    packed,
    packer: {
      ...inner,
      pack(index) {
        packed.push(index);
        return inner.pack(index);
      },
    },
  };
}

describe("chunk pipeline", () => {
  it("packs up to READ_AHEAD chunks ahead, skipping those excluded, and never packs one twice", async () => {
    const { packer, packed } = countingPacker();
    const pipeline = createChunkPipeline(primitives, packer);
    const durable = new Set([2]);
    const first = await pipeline.next(0, [1, 2, 3, 4, 5, 6], (i) => durable.has(i));
    expect(first.index).toBe(0);
    expect(packed).toEqual([0, 1, 3, 4].slice(0, 1 + READ_AHEAD));
    const second = await pipeline.next(1, [3, 4, 5, 6], (i) => durable.has(i));
    expect(second.index).toBe(1);
    expect(packed.filter((i) => i === 1)).toHaveLength(1); // taken from those packed ahead
    expect(packed).toContain(5);
  });

  it("frames with REQUIRES_ACK, RETRANSMIT on a resend, and reuses one buffer when asked", async () => {
    const { packer } = countingPacker();
    const pipeline = createChunkPipeline(primitives, packer);
    const chunk = await pipeline.next(9, [], () => false);
    const a = await pipeline.frame(chunk, false, true);
    const b = await pipeline.frame(chunk, true, true);
    expect(a.buffer).toBe(b.buffer);
    const decoded = await decodeFrame(primitives, b);
    expect(decoded.ok && decoded.value.flags & FrameFlag.RETRANSMIT).toBeTruthy();
    expect(decoded.ok && decoded.value.flags & FrameFlag.REQUIRES_ACK).toBeTruthy();
    const fresh = await pipeline.frame(chunk, false, false);
    expect(fresh.buffer).not.toBe(b.buffer);
  });
});
