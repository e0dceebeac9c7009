import { describe, expect, it } from "vitest";
import { CompressionCodec } from "../gen/cyxwiz/data/v1/manifest_pb.js";
import { type CodecName, codecFromName, codecName, loadCodec } from "./index.js";

const ALL: ReadonlyArray<[CodecName, CompressionCodec]> = [
  ["none", CompressionCodec.NONE],
  ["zstd", CompressionCodec.ZSTD],
  ["lz4", CompressionCodec.LZ4],
  ["snappy", CompressionCodec.SNAPPY],
];

describe("codec names", () => {
  it.each(ALL)("%s maps to its manifest value and back", (name, codec) => {
    expect(codecFromName(name)).toBe(codec);
    expect(codecName(codec)).toBe(name);
  });

  it("the manifest values are the proto's (NONE=1, ZSTD=2, LZ4=3, SNAPPY=4)", () => {
    expect(ALL.map(([name]) => codecFromName(name))).toEqual([1, 2, 3, 4]);
  });

  it.each(["", "ZSTD", "gzip", " zstd", "toString", "__proto__"])(
    "rejects the name %j, listing the valid ones",
    (name) => {
      expect(() => codecFromName(name)).toThrow(RangeError);
      expect(() => codecFromName(name)).toThrow("none, zstd, lz4, snappy");
    },
  );

  it("rejects UNSPECIFIED and values this build does not know", () => {
    expect(() => codecName(CompressionCodec.UNSPECIFIED)).toThrow(RangeError);
    expect(() => codecName(99 as CompressionCodec)).toThrow(RangeError);
  });
});

describe("loadCodec", () => {
  it.each(ALL)("loads %s with its name and manifest value", async (name, codec) => {
    const c = await loadCodec(codec);
    expect(c.name).toBe(name);
    expect(c.codec).toBe(codec);
  });

  it("returns one shared instance per codec, by value or by name", async () => {
    for (const [name, codec] of ALL) {
      const [a, b, c] = await Promise.all([loadCodec(codec), loadCodec(name), loadCodec(codec)]);
      expect(a).toBe(b);
      expect(a).toBe(c);
    }
  });

  it("rejects UNSPECIFIED, unknown values and unknown names with a RangeError", async () => {
    await expect(loadCodec(CompressionCodec.UNSPECIFIED)).rejects.toThrow(RangeError);
    await expect(loadCodec(7 as CompressionCodec)).rejects.toThrow(RangeError);
    await expect(loadCodec("brotli" as CodecName)).rejects.toThrow(RangeError);
  });

  it.each(ALL)("%s rejects bad arguments with TypeError / RangeError (caller bugs, not data)", async (name) => {
    const c = await loadCodec(name);
    expect(() => c.compress([1, 2, 3] as unknown as Uint8Array)).toThrow(TypeError);
    expect(() => c.decompress("abc" as unknown as Uint8Array, 3)).toThrow(TypeError);
    for (const size of [-1, 1.5, Number.NaN, 2 ** 31, Number.POSITIVE_INFINITY]) {
      expect(() => c.decompress(new Uint8Array(4), size)).toThrow(RangeError);
    }
  });
});
