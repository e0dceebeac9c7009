/**
 * Pack throughput in Node: MNIST t10k (both gzipped IDX files) and a ~20 MB generated CSV, read
 * and packed into chunks of whole samples, then through the chunker, beside the opaque pack of
 * the same bytes (bench/pack-pipeline.ts). Writes bench/results/pack-throughput-node.json.
 *
 * Run alone: `cd packages/datasets && node --import tsx bench/pack-node.ts`
 */
import { readFile } from "node:fs/promises";
import { pathToFileURL } from "node:url";
import { MNIST_FILES, mnistPath } from "../../../test-support/datasets.js";
import { CHUNK_SIZE, csvInput, mnistInput } from "./bench-inputs.js";
import { formatTable, loadAverage, writeResult } from "./bench-report.js";
import { measurePackThroughput, type PackThroughputRow } from "./pack-pipeline.js";

export interface PackNodeResult {
  readonly runtime: string;
  readonly rows: readonly PackThroughputRow[];
}

/** The MNIST t10k files' bytes, images then labels. @throws Error naming a missing file. */
export async function mnistFiles(): Promise<{ path: string; bytes: Uint8Array }[]> {
  return Promise.all(
    (["images", "labels"] as const).map(async (k) => ({
      path: MNIST_FILES[k],
      bytes: new Uint8Array(await readFile(mnistPath(k))),
    })),
  );
}

/** Measures every input in Node and writes pack-throughput-node.json; returns what it wrote. */
export async function benchPackNode(repeats = { mnist: 5, csv: 3 }): Promise<PackNodeResult> {
  const loadBefore = loadAverage();
  const rows = [
    await measurePackThroughput(mnistInput(await mnistFiles()), { repeats: repeats.mnist, chunkSize: CHUNK_SIZE }),
    await measurePackThroughput(csvInput(), { repeats: repeats.csv, chunkSize: CHUNK_SIZE }),
  ];
  const result = { runtime: `node ${process.version}`, rows };
  await writeResult("pack-throughput-node", {
    command: "cd packages/datasets && npm run bench",
    chunkSize: CHUNK_SIZE,
    statistic: "median of the repeats",
    baseline: "the opaque pack (createChunker) of the same input bytes, with the same crypto",
    loadAverage: { before: loadBefore, after: loadAverage() },
    ...result,
  });
  return result;
}

const invokedAsScript = process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href;
if (invokedAsScript) {
  const r = await benchPackNode();
  console.log(formatTable(r.rows.map((row) => ({ runtime: r.runtime, row }))));
}
