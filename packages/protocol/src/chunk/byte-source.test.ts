import { describe, expect, it } from "vitest";
import { blobByteSource, bytesByteSource } from "./byte-source.js";
import { testBytes } from "./chunk-test-support.js";

describe("byte sources", () => {
  const data = testBytes(100_000, 5);

  it("a Blob source reads ranges as fresh buffers, short only at the end", async () => {
    const source = blobByteSource(new Blob([data]));
    expect(source.freshReads).toBe(true);
    expect(source.size).toBe(data.length);
    expect(await source.read(1000, 5000)).toEqual(data.subarray(1000, 6000));
    const tail = await source.read(90_000, 40_000);
    expect(tail).toEqual(data.subarray(90_000));
    expect(tail.byteOffset === 0 && tail.byteLength === tail.buffer.byteLength).toBe(true); // its own buffer
  });

  it("a bytes source reads views of the bytes it was given, and says so", async () => {
    const source = bytesByteSource(data);
    expect(source.freshReads).toBeUndefined();
    const view = await source.read(10, 20);
    expect(view.buffer).toBe(data.buffer);
    expect(view).toEqual(data.subarray(10, 30));
  });
});
