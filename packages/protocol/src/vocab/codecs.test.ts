import { describe, expect, it } from "vitest";
import { CompressionCodec } from "../gen/cyxwiz/data/v1/manifest_pb.js";
import { CODEC_NAMES, CODECS, codecFromName, codecInfo, codecName, isCodecName } from "./codecs.js";

describe("codec vocabulary", () => {
  it("lists the seed's four codecs, none first", () => {
    expect(CODEC_NAMES).toEqual(["none", "zstd", "lz4", "snappy"]);
  });

  it("maps every proto value but UNSPECIFIED to exactly one entry", () => {
    const values = Object.values(CompressionCodec).filter(
      (v): v is CompressionCodec => typeof v === "number" && v !== CompressionCodec.UNSPECIFIED,
    );
    expect(CODECS.map((c) => c.proto).sort()).toEqual([...values].sort());
  });

  it("round-trips names and proto values", () => {
    for (const c of CODECS) {
      expect(codecFromName(c.name)).toBe(c.proto);
      expect(codecName(c.proto)).toBe(c.name);
      expect(codecInfo(c.name)).toBe(c);
      expect(c.label).not.toBe("");
      expect(c.description).not.toBe("");
    }
  });

  it("accepts only exact lower-case names", () => {
    expect(isCodecName("zstd")).toBe(true);
    for (const bad of ["ZSTD", "gzip", "", undefined, 1]) expect(isCodecName(bad)).toBe(false);
    expect(() => codecFromName("gzip")).toThrow(/none, zstd, lz4, snappy/);
  });

  it("refuses UNSPECIFIED and unknown values", () => {
    expect(() => codecName(CompressionCodec.UNSPECIFIED)).toThrow(RangeError);
    expect(() => codecName(99 as CompressionCodec)).toThrow(/unknown compression codec 99/);
  });
});
