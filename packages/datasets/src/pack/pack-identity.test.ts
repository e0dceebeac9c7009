import { createChunker } from "@cyxwiz/protocol/chunk";
import { loadPrimitives } from "@cyxwiz/protocol/primitives";
import { describe, expect, it } from "vitest";
import imagesUrl from "../../../../test-data/mnist/t10k-images-idx3-ubyte.gz?url";
import labelsUrl from "../../../../test-data/mnist/t10k-labels-idx1-ubyte.gz?url";
import { repoFile } from "../../test-support/repo-file.js";
import { generatedCsv, memoryFile } from "../../test-support/sample-files.js";
import { applyAnonymizers } from "../anonymize/index.js";
import type { InputFile } from "../samples/input-file.js";
import { type PrepareSamplesOptions, prepareSamples } from "./prepare-samples.js";

/**
 * The same test in Node and in Chromium (issue: byte-identical chunks and Merkle roots for the
 * same input and options): the whole path a CLI `cyxwiz pack`/`upload` and the dashboard take —
 * read, anonymize, order by shard, pack, then the chunker's hashing and Merkle tree with a codec —
 * must give the same Merkle root in both runtimes (pinned below, computed once).
 */

const hex = (b: Uint8Array) => Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");

async function merkleRoot(files: InputFile[], options: PrepareSamplesOptions): Promise<string> {
  const prepared = await prepareSamples(files, options);
  const chunker = createChunker(await loadPrimitives(), prepared.source, {
    chunkSize: options.chunkSize,
    plainSizes: prepared.plainSizes,
    samples: prepared.layout,
    codec: "lz4",
    metadata: { name: "identity" },
  });
  for await (const _ of chunker.chunks());
  return hex(chunker.manifest().metadata!.merkleRoot);
}

describe("the same files and options give the same Merkle root in every runtime", () => {
  it("MNIST in class-balanced shard order, lz4", async () => {
    const files = [
      await repoFile("t10k-images-idx3-ubyte.gz", imagesUrl),
      await repoFile("t10k-labels-idx1-ubyte.gz", labelsUrl),
    ];
    const root = await merkleRoot(files, { chunkSize: 1 << 20, order: { strategy: "class-balanced", shards: 3 } });
    expect(root).toBe("0891addab58b81b190d07a2daa48a72b6de44afb7befad7718e7a2b6af3e7a0b");
  });

  it("a CSV with a hashed column in hash shard order, lz4", async () => {
    const key = new Uint8Array(32).fill(3);
    const root = await merkleRoot([memoryFile("g.csv", generatedCsv(5_000, 4))], {
      chunkSize: 32 * 1024,
      order: { strategy: "hash", shards: 4, column: "id", seed: 11 },
      transform: (table) =>
        applyAnonymizers(table, [{ column: "note", operator: "hash", params: {} }], { ownerKey: key }).table,
    });
    expect(root).toBe("216b8ac4a27cfb76fa3325c03fd7911434f26870cba6c6e55f27a3b6a6851df1");
  });
});
