import { describe, expect, it } from "vitest";
import { type BlobLike, blobByteSource } from "./byte-source.js";
import { testBytes } from "./chunk-test-support.js";

describe("blobByteSource", () => {
  const data = testBytes(100_000, 5);

  it("reads ranges, and reads them into a buffer the caller gives (readInto), byte for byte", async () => {
    const source = blobByteSource(new Blob([data]));
    expect(source.freshReads).toBe(true);
    expect(await source.read(1000, 5000)).toEqual(data.subarray(1000, 6000));
    let buffer: Uint8Array = new Uint8Array(40_000);
    for (const [offset, length] of [
      [0, 40_000],
      [40_000, 40_000],
      [80_000, 40_000], // past the end: 20,000 bytes
    ] as const) {
      const view = await source.readInto!(offset, length, buffer);
      expect(view).toEqual(data.subarray(offset, Math.min(data.length, offset + length)));
      buffer = new Uint8Array(view.buffer); // the same memory, reused for the next read
    }
  });

  it("falls back to arrayBuffer() where a Blob's stream is not a byte stream", async () => {
    const real = new Blob([data]);
    let byobTried = 0;
    const blob: BlobLike = {
      size: real.size,
      slice: (start, end) => {
        const part = real.slice(start, end);
        return {
          arrayBuffer: () => part.arrayBuffer(),
          stream: () => ({
            getReader: () => {
              byobTried++;
              throw new TypeError("not a byte stream");
            },
          }),
        };
      },
    };
    const source = blobByteSource(blob);
    expect(await source.readInto!(10, 100, new Uint8Array(100))).toEqual(data.subarray(10, 110));
    expect(await source.readInto!(200, 100, new Uint8Array(100))).toEqual(data.subarray(200, 300));
    expect(byobTried).toBe(1); // asked once, then remembered
  });
});
