import { describe, expect, it } from "vitest";
import { createMessageBuffers } from "./message-buffers.js";

describe("message buffers", () => {
  it("rounds lengths up and hands a released buffer out again for a message of the same size", () => {
    const pool = createMessageBuffers({ maxPooledBytes: 1 << 20, granularity: 1024 });
    const a = pool.take(4097);
    expect(a.length).toBe(5120);
    expect(pool.outstanding).toBe(1);
    pool.release(a);
    expect(pool.pooledBytes).toBe(5120);
    expect(pool.take(5000)).toBe(a); // same rounded size: reused
    expect(pool.pooledBytes).toBe(0);
    const b = pool.take(100);
    expect(b).not.toBe(a);
    expect(b.length).toBe(1024);
    expect(pool.outstanding).toBe(2);
  });

  it("keeps at most maxPooledBytes of free buffers and lets the rest go", () => {
    const pool = createMessageBuffers({ maxPooledBytes: 2048, granularity: 1024 });
    const taken = [pool.take(1024), pool.take(1024), pool.take(1024)];
    for (const t of taken) pool.release(t);
    expect(pool.pooledBytes).toBe(2048);
    expect(pool.outstanding).toBe(0);
    const again = [pool.take(1), pool.take(1), pool.take(1)];
    expect(again.filter((x) => taken.includes(x))).toHaveLength(2); // the third is new
  });

  it("trim drops every kept buffer", () => {
    const pool = createMessageBuffers({ maxPooledBytes: 1 << 20, granularity: 1024 });
    const a = pool.take(10);
    pool.release(a);
    pool.trim();
    expect(pool.pooledBytes).toBe(0);
    expect(pool.take(10)).not.toBe(a);
  });

  it("refuses a buffer it did not hand out, a second release, and bad sizes", () => {
    const pool = createMessageBuffers({ maxPooledBytes: 1 << 20 });
    expect(() => pool.release(new Uint8Array(65536))).toThrow(TypeError);
    const a = pool.take(1);
    pool.release(a);
    expect(() => pool.release(a)).toThrow(/released already/);
    expect(() => pool.take(-1)).toThrow(RangeError);
    expect(() => pool.take(1.5)).toThrow(RangeError);
    expect(() => createMessageBuffers({ maxPooledBytes: -1 })).toThrow(RangeError);
    expect(() => createMessageBuffers({ maxPooledBytes: 0, granularity: 0 })).toThrow(RangeError);
  });
});
