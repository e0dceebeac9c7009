import { readFileSync } from "node:fs";
import { gunzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { mnistPath } from "../../../../test-support/datasets.js";
import { type CodecName, loadCodec, worthCompressing } from "./index.js";

/** The first 4 MiB chunk of the MNIST test images, as a dataset upload would cut it. */
function firstMnistChunk(): Uint8Array {
  return new Uint8Array(gunzipSync(readFileSync(mnistPath("images")))).subarray(0, 4 << 20);
}

describe("worthCompressing on MNIST images", () => {
  it.each<CodecName>(["zstd", "lz4", "snappy"])("the first chunk is worth compressing with %s", async (name) => {
    const chunk = firstMnistChunk();
    expect(chunk.length).toBe(4 << 20);
    const codec = await loadCodec(name);
    const packed = codec.compress(chunk);
    expect(worthCompressing(chunk.length, packed.length)).toBe(true);
    const back = codec.decompress(packed, chunk.length);
    expect(back.ok && Buffer.compare(back.value, chunk) === 0).toBe(true);
  });
});
