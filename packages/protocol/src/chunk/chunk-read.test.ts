import { describe, expect, it } from "vitest";
import { bytesByteSource } from "./byte-source.js";
import { fixedChunkLayout } from "./chunk-layout.js";
import { readChunk } from "./chunk-read.js";
import { testBytes } from "./chunk-test-support.js";

describe("readChunk", () => {
  it("reads each chunk of a fixed layout at its offset, the last one short", async () => {
    const data = testBytes(2500);
    const layout = fixedChunkLayout(1000, data.length);
    expect([0, 1, 2].map((i) => layout.offsetOf(i))).toEqual([0, 1000, 2000]);
    expect(await readChunk(bytesByteSource(data), layout, 2)).toEqual(data.subarray(2000));
    expect(() => layout.offsetOf(3)).toThrow(RangeError);
  });

  it("reads chunks of any sizes the layout gives (chunks of whole samples), into a buffer when the source can", async () => {
    const data = testBytes(100);
    const sizes = [30, 5, 65];
    const starts = [0, 30, 35];
    const placement = { numChunks: 3, plainSizeOf: (i: number) => sizes[i]!, offsetOf: (i: number) => starts[i]! };
    const into = new Uint8Array(8);
    const source = {
      ...bytesByteSource(data),
      async readInto(offset: number, length: number, buffer: Uint8Array) {
        buffer.set(data.subarray(offset, offset + length));
        return buffer.subarray(0, length);
      },
    };
    const chunk1 = await readChunk(source, placement, 1, into);
    expect(chunk1).toEqual(data.subarray(30, 35));
    expect(chunk1.buffer).toBe(into.buffer);
    expect(await readChunk(source, placement, 2)).toEqual(data.subarray(35));
  });
});
