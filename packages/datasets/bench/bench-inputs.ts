/**
 * The inputs of the pack-throughput benchmark that both runtimes build the same way
 * (runtime-neutral). MNIST's bytes come from the repository's files (test-data/mnist/), read by
 * the Node side and served to the page.
 */
import { generatedCsv } from "../test-support/sample-files.js";
import type { BenchInput } from "./pack-pipeline.js";

/** Rows of the generated CSV: about 20 MB (id, float, bool, text with quoted commas and nulls, label). */
export const CSV_ROWS = 575_000;

/** Plaintext bytes per chunk: the upload's default (DEFAULT_CHUNK_SIZE), 4 MiB. */
export const CHUNK_SIZE = 4 * 1024 * 1024;

/** The generated CSV as a benchmark input: the same bytes on every run and runtime (seeded). */
export function csvInput(rows = CSV_ROWS): BenchInput {
  const bytes = new TextEncoder().encode(generatedCsv(rows, 5));
  return { name: `generated CSV (${rows} rows)`, files: [{ path: "generated.csv", bytes }] };
}

/** MNIST t10k, both gzipped IDX files (images and labels), as one benchmark input. */
export function mnistInput(files: readonly { readonly path: string; readonly bytes: Uint8Array }[]): BenchInput {
  return { name: "MNIST t10k (IDX, gzipped)", files };
}
