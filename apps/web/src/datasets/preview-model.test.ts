import { create } from "@bufbuild/protobuf";
import { prepareSamples } from "@cyxwiz/datasets/pack";
import { bytesByteSource } from "@cyxwiz/protocol/chunk";
import { DatasetManifestSchema, DatasetMetadataSchema } from "@cyxwiz/protocol/gen";
import { describe, expect, it } from "vitest";
import { filePreviewOf, orderText, previewOf, splitText } from "./preview-model.js";

const csv = `x,y,label\n${Array.from({ length: 50 }, (_, i) => `${i},${i * 0.5},${i % 3 === 0 ? "cat" : "dog"}`).join("\n")}\n`;

async function csvManifest() {
  const prepared = await prepareSamples(
    [{ path: "pets.csv", source: bytesByteSource(new TextEncoder().encode(csv)) }],
    { chunkSize: 1200, labelColumn: "label", order: { strategy: "class-balanced", shards: 2 } },
  );
  const manifest = create(DatasetManifestSchema, {
    formatVersion: 2,
    metadata: create(DatasetMetadataSchema, { numChunks: prepared.chunks.length, totalSize: 1234n }),
    plainSizes: [...prepared.plainSizes],
    samples: prepared.layout,
  });
  return { manifest, chunk0: prepared.chunks[0]! };
}

describe("previewOf", () => {
  it("shapes a dataset of samples: schema, first rows, stats of the first chunk, whole-dataset histogram", async () => {
    const { manifest, chunk0 } = await csvManifest();
    const p = previewOf(manifest, chunk0);
    if (p.kind !== "samples") throw new Error("expected samples");
    expect(p.format).toBe("csv");
    expect(p.numSamples).toBe(50);
    expect(p.numChunks).toBeGreaterThan(1);
    expect(p.schema.map((c) => [c.name, c.role])).toEqual([
      ["x", "feature"],
      ["y", "feature"],
      ["label", "label"],
    ]);
    // A numeric column names its element type alone; only tensors carry a shape.
    expect(p.schema.find((c) => c.name === "x")?.tensor).toMatch(/^(int64|float64)$/);
    expect(p.table.rows.length).toBe(10);
    expect(p.table.columns.map((c) => c.name)).toEqual(["x", "y", "label"]);
    const firstChunkSamples = manifest.samples!.chunkSampleCounts[0]!;
    expect(p.stats.caption).toBe(`Column statistics of the first chunk's ${firstChunkSamples} samples`);
    expect(p.stats.columns.find((c) => c.name === "x")?.count).toBe(firstChunkSamples);
    expect(Object.fromEntries(p.histogram.map((c) => [c.label, c.count]))).toEqual({ dog: 33, cat: 17 });
    expect(p.split).toBe("train 80% · validation 10% · test 10%");
    expect(p.order).toBe("class-balanced by label, 2 shards");
    expect(p.images).toBeUndefined();
  });

  it("shapes an opaque file: size, chunks, the first bytes as hex and text", () => {
    const bytes = new Uint8Array([0x48, 0x69, 0x0a, 0xff, ...new Uint8Array(300)]);
    const p = filePreviewOf(304, 1, bytes);
    expect(p.shown).toBe(256);
    expect(p.hex.startsWith("48 69 0a ff 00")).toBe(true);
    expect(p.text.startsWith("Hi··")).toBe(true);
    const manifest = create(DatasetManifestSchema, {
      metadata: create(DatasetMetadataSchema, { numChunks: 3, totalSize: 304n }),
    });
    expect(previewOf(manifest, bytes)).toMatchObject({ kind: "file", size: 304, numChunks: 3 });
  });

  it("refuses a first chunk of a dataset of samples that is not Arrow", async () => {
    const { manifest } = await csvManifest();
    expect(() => previewOf(manifest, new TextEncoder().encode("not arrow"))).toThrow();
  });

  it("writes the pack order and split as a person reads them", () => {
    expect(orderText(undefined)).toBe("source order");
    expect(splitText({ trainPermille: 700, validationPermille: 150, testPermille: 150 })).toBe(
      "train 70% · validation 15% · test 15%",
    );
  });
});
