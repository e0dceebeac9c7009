import { CompressionCodec, DatasetStatus } from "@cyxwiz/protocol/gen";
import { describe, expect, it } from "vitest";
import { codecLabel, datasetStatusLabel, shortHex } from "./dataset-format.js";

describe("dataset formatting", () => {
  it("names statuses and codecs, with a fallback for values this build does not know", () => {
    expect(datasetStatusLabel(DatasetStatus.READY)).toBe("Ready");
    expect(datasetStatusLabel(DatasetStatus.CORRUPT)).toBe("Corrupt");
    expect(datasetStatusLabel(42 as DatasetStatus)).toBe("Unknown");
    expect(codecLabel(CompressionCodec.ZSTD)).toBe("zstd");
    expect(codecLabel(CompressionCodec.NONE)).toBe("none");
    expect(codecLabel(42 as CompressionCodec)).toBe("unknown");
  });

  it("shortens long hex keeping both ends, and leaves short hex alone", () => {
    const root = "0123456789abcdef".repeat(4);
    expect(shortHex(root)).toBe("01234567…89abcdef");
    expect(shortHex("abcd")).toBe("abcd");
  });
});
