import { describe, expect, it } from "vitest";
import imagesUrl from "../../../../test-data/mnist/t10k-images-idx3-ubyte.gz?url";
import labelsUrl from "../../../../test-data/mnist/t10k-labels-idx1-ubyte.gz?url";
import { repoFile } from "../../test-support/repo-file.js";
import { collect, generatedCsv, memoryFile } from "../../test-support/sample-files.js";
import { readSamples } from "../formats/read-samples.js";
import type { InputFile } from "./input-file.js";
import { packSampleChunks } from "./pack-sample-chunks.js";

/**
 * The same test in Node and in Chromium: the packed chunks of the same input must be the same
 * bytes in both runtimes (the digests below were computed once and must hold in both).
 */

/** SHA-256 (crypto.subtle) over every chunk's bytes, in order, and the chunk layout. */
async function packedDigest(files: InputFile[], chunkSize: number): Promise<{ digest: string; counts: number[] }> {
  const s = await readSamples(files);
  const chunks = await collect(packSampleChunks(s.schema, s.batches, { chunkSize }));
  const total = chunks.reduce((a, c) => a + c.bytes.length, 0);
  const all = new Uint8Array(total);
  let at = 0;
  for (const c of chunks) {
    all.set(c.bytes, at);
    at += c.bytes.length;
  }
  const digest = new Uint8Array(await globalThis.crypto.subtle.digest("SHA-256", all));
  return {
    digest: Array.from(digest, (b) => b.toString(16).padStart(2, "0")).join(""),
    counts: chunks.map((c) => c.sampleCount),
  };
}

describe("packed chunks are the same bytes in every runtime", () => {
  it("MNIST t10k, 1 MiB chunks", async () => {
    const files = [
      await repoFile("t10k-images-idx3-ubyte.gz", imagesUrl),
      await repoFile("t10k-labels-idx1-ubyte.gz", labelsUrl),
    ];
    const { digest, counts } = await packedDigest(files, 1 << 20);
    expect(counts).toEqual([...Array(7).fill(1334), 662]);
    expect(digest).toBe("6ba61456e865d6f16e9d577bd747d9a270db03ad8ffc1f73a983490f88044da9");
  });

  it("a generated CSV, 64 KiB chunks", async () => {
    const { digest, counts } = await packedDigest([memoryFile("g.csv", generatedCsv(20_000, 3))], 64 * 1024);
    expect(counts.reduce((a, b) => a + b, 0)).toBe(20_000);
    expect(digest).toBe("a4441772d31207ad27e275a9a12a004ebb4774112ced8b8e8409560f10d7edc5");
  });
});
