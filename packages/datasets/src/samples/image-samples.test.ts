import * as arrow from "apache-arrow";
import { encode as encodePng } from "fast-png";
import { describe, expect, it } from "vitest";
import { collect, idxBytes, memoryFile } from "../../test-support/sample-files.js";
import { readSamples } from "../formats/read-samples.js";
import { imageSamples } from "./image-samples.js";

describe("imageSamples", () => {
  it("MNIST-like [28, 28] tensors: one channel, their pixels and labels", async () => {
    const pixels = Uint8Array.from({ length: 2 * 784 }, (_, i) => i % 251);
    const s = await readSamples([
      memoryFile("images-idx3-ubyte", idxBytes([2, 28, 28], pixels)),
      memoryFile("labels-idx1-ubyte", idxBytes([2], Uint8Array.from([5, 0]))),
    ]);
    const got = imageSamples(new arrow.Table(await collect(s.batches)), 5);
    expect(got.map((g) => [g.label, g.width, g.height, g.channels])).toEqual([
      ["5", 28, 28, 1],
      ["0", 28, 28, 1],
    ]);
    expect(got[1]!.pixels).toEqual(pixels.subarray(784));
  });

  it("RGB images from a folder: [h, w, 3], labelled by folder; a table without images gives none", async () => {
    const data = Uint8Array.from({ length: 2 * 3 * 3 }, (_, i) => i * 9);
    const s = await readSamples([
      memoryFile("cats/1.png", encodePng({ width: 3, height: 2, data, channels: 3, depth: 8 })),
      memoryFile("dogs/1.png", encodePng({ width: 3, height: 2, data, channels: 3, depth: 8 })),
    ]);
    const [first] = imageSamples(new arrow.Table(await collect(s.batches)), 1);
    expect(first).toEqual({ label: "cats", width: 3, height: 2, channels: 3, pixels: data });
    const csv = await readSamples([memoryFile("d.csv", "a\n1\n")]);
    expect(imageSamples(new arrow.Table(await collect(csv.batches)), 3)).toEqual([]);
  });
});
