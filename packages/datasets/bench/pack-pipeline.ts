/**
 * The measurements of the pack-throughput benchmark, shared by the Node and Chromium runs so
 * both time exactly the same code (runtime-neutral: no node:* imports, no DOM). For one input
 * (dataset files held in memory), each repeat times, one after the other:
 *
 * - the baseline: the opaque pack of the very same file bytes (`createChunker` over each file),
 *   SHA-256 + Merkle, then with AES-256-GCM;
 * - pack: `prepareSamples`, the files read into chunks of whole samples (Arrow IPC);
 * - the chunker over those chunks (`plainSizes`, `samples`), with SHA-256 + Merkle only, then
 *   again with AES-256-GCM (`createChunkCipher`): the rest of the upload pipeline.
 *
 * The upload pipeline of samples is sequential (prepareSamples holds every chunk before the
 * chunker starts), so its time is pack + chunker, summed within one repeat. Figures are the
 * median of the repeats; the stages of a repeat run back to back, so a burst of load from other
 * work on the shared machine hits samples and baseline alike.
 */
import { type ByteSource, bytesByteSource, createChunker } from "@cyxwiz/protocol/chunk";
import { createChunkCipher, generateDatasetKey } from "@cyxwiz/protocol/crypto";
import type { SampleLayout } from "@cyxwiz/protocol/gen";
import { loadPrimitives, type Primitives } from "@cyxwiz/protocol/primitives";
import { prepareSamples } from "../src/pack/index.js";

/** One dataset as the benchmark feeds it: its files' bytes, already in memory. */
export interface BenchInput {
  readonly name: string;
  readonly files: readonly { readonly path: string; readonly bytes: Uint8Array }[];
}

/** MB = 10^6 bytes of input (the files as given, e.g. gzipped IDX). */
export interface PackThroughputRow {
  readonly input: string;
  readonly inputBytes: number;
  readonly samples: number;
  readonly chunks: number;
  /** Bytes of the packed sample chunks (plaintext). */
  readonly packedBytes: number;
  readonly repeats: number;
  /** Median seconds of each stage. */
  readonly seconds: {
    readonly pack: number;
    readonly uploadHash: number;
    readonly uploadAes: number;
    readonly opaqueHash: number;
    readonly opaqueAes: number;
  };
  /** prepareSamples alone. */
  readonly packMBps: number;
  readonly packSamplesPerS: number;
  /** prepareSamples then the chunker, SHA-256 + Merkle. */
  readonly uploadHashMBps: number;
  readonly uploadHashSamplesPerS: number;
  /** prepareSamples then the chunker with AES-256-GCM, SHA-256 + Merkle. */
  readonly uploadAesMBps: number;
  readonly uploadAesSamplesPerS: number;
  /** The baseline: the opaque pack of the same bytes, SHA-256 + Merkle. */
  readonly opaqueHashMBps: number;
  /** The baseline with AES-256-GCM. */
  readonly opaqueAesMBps: number;
  /** uploadHashMBps / opaqueHashMBps. */
  readonly hashRatio: number;
  /** uploadAesMBps / opaqueAesMBps. */
  readonly aesRatio: number;
}

/** The median of some numbers (the mean of the middle two for an even count). */
export function median(values: readonly number[]): number {
  if (values.length === 0) throw new RangeError("median of no values");
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

const seconds = (t0: number) => (performance.now() - t0) / 1000;

/** Runs one chunker to its end (manifest and Merkle root included); returns its seconds. */
async function chunkAll(
  p: Primitives,
  source: ByteSource,
  options: { chunkSize: number; key?: Uint8Array; plainSizes?: readonly number[]; samples?: SampleLayout },
): Promise<number> {
  const t0 = performance.now();
  let cipher: Parameters<typeof createChunker>[2]["cipher"];
  if (options.key !== undefined) {
    const made = await createChunkCipher(p, options.key);
    if (!made.ok) throw new Error(made.error.message);
    cipher = made.value;
  }
  const chunker = createChunker(p, source, {
    chunkSize: options.chunkSize,
    metadata: { name: "bench" },
    ...(cipher === undefined ? {} : { cipher }),
    ...(options.plainSizes === undefined ? {} : { plainSizes: options.plainSizes }),
    ...(options.samples === undefined ? {} : { samples: options.samples }),
  });
  for await (const _ of chunker.chunks());
  chunker.manifest();
  return seconds(t0);
}

/** The opaque pack of every file of the input, one chunker per file (as each file is uploaded). */
async function opaque(p: Primitives, input: BenchInput, chunkSize: number, key?: Uint8Array): Promise<number> {
  let total = 0;
  for (const f of input.files)
    total += await chunkAll(p, bytesByteSource(f.bytes), { chunkSize, ...(key === undefined ? {} : { key }) });
  return total;
}

/**
 * Measures one input `repeats` times and returns the medians.
 * @throws DatasetError when the input is not a dataset prepareSamples reads.
 */
export async function measurePackThroughput(
  input: BenchInput,
  { repeats, chunkSize }: { readonly repeats: number; readonly chunkSize: number },
): Promise<PackThroughputRow> {
  if (!Number.isInteger(repeats) || repeats < 1) throw new RangeError(`repeats must be at least 1, got ${repeats}`);
  const p = await loadPrimitives();
  const key = generateDatasetKey();
  const inputBytes = input.files.reduce((a, f) => a + f.bytes.length, 0);
  const runs = { pack: [] as number[], chunkHash: [] as number[], chunkAes: [] as number[] };
  const upload = { hash: [] as number[], aes: [] as number[] };
  const base = { hash: [] as number[], aes: [] as number[] };
  let shape = { samples: 0, chunks: 0, packedBytes: 0 };
  for (let r = 0; r < repeats; r++) {
    // The baseline first, on a heap not yet filled by the packed dataset.
    base.hash.push(await opaque(p, input, chunkSize));
    base.aes.push(await opaque(p, input, chunkSize, key));
    const files = input.files.map((f) => ({ path: f.path, source: bytesByteSource(f.bytes) }));
    const t0 = performance.now();
    const prepared = await prepareSamples(files, { chunkSize });
    const pack = seconds(t0);
    const samples = { plainSizes: prepared.plainSizes, samples: prepared.layout };
    const chunkHash = await chunkAll(p, prepared.source, { chunkSize, ...samples });
    const chunkAes = await chunkAll(p, prepared.source, { chunkSize, key, ...samples });
    runs.pack.push(pack);
    runs.chunkHash.push(chunkHash);
    runs.chunkAes.push(chunkAes);
    upload.hash.push(pack + chunkHash);
    upload.aes.push(pack + chunkAes);
    shape = {
      samples: prepared.summary.numSamples,
      chunks: prepared.chunks.length,
      packedBytes: prepared.source.size,
    };
  }
  const mb = inputBytes / 1e6;
  const s = {
    pack: median(runs.pack),
    uploadHash: median(upload.hash),
    uploadAes: median(upload.aes),
    opaqueHash: median(base.hash),
    opaqueAes: median(base.aes),
  };
  return {
    input: input.name,
    inputBytes,
    ...shape,
    repeats,
    seconds: s,
    packMBps: mb / s.pack,
    packSamplesPerS: shape.samples / s.pack,
    uploadHashMBps: mb / s.uploadHash,
    uploadHashSamplesPerS: shape.samples / s.uploadHash,
    uploadAesMBps: mb / s.uploadAes,
    uploadAesSamplesPerS: shape.samples / s.uploadAes,
    opaqueHashMBps: mb / s.opaqueHash,
    opaqueAesMBps: mb / s.opaqueAes,
    hashRatio: s.opaqueHash / s.uploadHash,
    aesRatio: s.opaqueAes / s.uploadAes,
  };
}
