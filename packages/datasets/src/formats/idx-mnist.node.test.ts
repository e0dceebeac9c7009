import { readFileSync } from "node:fs";
import { gunzipSync } from "node:zlib";
import * as arrow from "apache-arrow";
import { describe, expect, it } from "vitest";
import { mnistPath } from "../../../../test-support/datasets.js";
import { openMnist } from "../../test-support/mnist-files.js";
import { collect } from "../../test-support/sample-files.js";
import { decodeSampleChunk } from "../samples/decode-sample-chunk.js";
import { packSampleChunks } from "../samples/pack-sample-chunks.js";
import { labelHistogram } from "../samples/sample-summary.js";
import { readSamples } from "./read-samples.js";
import { tensorInfo } from "./tensor-field.js";

describe("idx: the real MNIST t10k files", () => {
  it("10,000 samples: image uint8[28×28] as arrow.fixed_shape_tensor, labels matching the raw label bytes", async () => {
    const mnist = await openMnist();
    const s = await readSamples(mnist.files);
    expect(s.format).toBe("idx");
    const image = s.schema.fields[0]!;
    expect(image.metadata.get("ARROW:extension:name")).toBe("arrow.fixed_shape_tensor");
    expect(JSON.parse(image.metadata.get("ARROW:extension:metadata")!)).toEqual({ shape: [28, 28] });
    expect(String(image.type)).toBe("FixedSizeList[784]<Uint8>");
    expect(tensorInfo(image)).toEqual({ shape: [28, 28], dtype: "uint8" });
    const table = new arrow.Table(await collect(s.batches));
    await mnist.close();
    expect(table.numRows).toBe(10_000);

    // Independently: the labels are the bytes after the 8-byte header of the gunzipped file.
    const rawLabels = gunzipSync(readFileSync(mnistPath("labels"))).subarray(8);
    expect(table.getChild("label")!.toArray()).toEqual(new Uint8Array(rawLabels));
    const rawImages = gunzipSync(readFileSync(mnistPath("images"))).subarray(16);
    expect((table.getChild("image")!.get(9_999) as arrow.Vector).toArray()).toEqual(
      new Uint8Array(rawImages.subarray(9_999 * 784)),
    );
  });

  it("the label histogram of the packed summary matches the counts of the raw label bytes (MNIST's published t10k counts)", async () => {
    const raw = gunzipSync(readFileSync(mnistPath("labels"))).subarray(8);
    const counts = new Array<number>(10).fill(0);
    for (const b of raw) counts[b]! += 1;
    expect(counts).toEqual([980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]);
    const expected = counts.map((count, label) => ({ label: String(label), count }));

    const mnist = await openMnist();
    const s = await readSamples(mnist.files);
    const stream = packSampleChunks(s.schema, s.batches, { chunkSize: 1 << 20, labelColumn: s.labelColumn! });
    const chunks = await collect(stream);
    await mnist.close();
    const summary = stream.summary();
    expect(summary.numSamples).toBe(10_000);
    expect(summary.labelHistogram).toEqual(expected);
    expect(summary.columns).toEqual([
      { name: "image", arrowType: "FixedSizeList[784]<Uint8>", role: "feature", dtype: "uint8", shape: [28, 28] },
      { name: "label", arrowType: "Uint8", role: "label", dtype: "uint8" },
    ]);
    expect(summary.chunkSampleCounts.reduce((a, b) => a + b, 0)).toBe(10_000);
    const table = new arrow.Table(chunks.flatMap((c) => decodeSampleChunk(c.bytes).batches));
    expect(labelHistogram(table, "label")).toEqual(expected);
  });
});
