import { existsSync, readFileSync } from "node:fs";
import { gunzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { sharedDir } from "../../vitest.config.js";
import { type CodecName, loadCodec, worthCompressing } from "./index.js";

const MNIST_IMAGES = `${sharedDir}/datasets/mnist/t10k-images-idx3-ubyte.gz`;

/** The first 4 MiB chunk of the MNIST test images, as a dataset upload would cut it. */
function firstMnistChunk(): Uint8Array {
  if (!existsSync(MNIST_IMAGES)) {
    throw new Error(`the MNIST test images are missing: expected ${MNIST_IMAGES} (shared/datasets/mnist)`);
  }
  return new Uint8Array(gunzipSync(readFileSync(MNIST_IMAGES))).subarray(0, 4 << 20);
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
