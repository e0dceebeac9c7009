import { fromBinary } from "@bufbuild/protobuf";
import { type SplitPart, type SplitSpec, splitOf } from "@cyxwiz/datasets/pack";
import { decodeSampleChunk } from "@cyxwiz/datasets/samples";
import { loadCodec } from "@cyxwiz/protocol/compress";
import { CHUNK_KEY_ALGORITHM, createChunkCipher, unwrapDatasetKey } from "@cyxwiz/protocol/crypto";
import {
  CompressionCodec,
  type DatasetManifest,
  DatasetManifestSchema,
  type SampleLayout,
  WrappedKeySchema,
} from "@cyxwiz/protocol/gen";
import type { GatewayDeps } from "../gateway-deps.js";
import type { DatasetVersionRecord, JobRecord } from "../store/index.js";

// A job's dataset as the gateway sees it (docs/compute.md): the version and manifest, which
// samples are train / validation / test, where each chunk starts, and — when the gateway can read
// the data (unencrypted, or a key escrowed to it) — the chunks' samples, for evaluation and for
// strategies that shard by a column. Everything here is derived from stored data; the caches are
// only caches.

export interface JobDataset {
  readonly version: DatasetVersionRecord;
  readonly manifest: DatasetManifest;
  readonly layout: SampleLayout;
}

/** Sample indices of each part of the split, ascending. */
export interface SplitIndices {
  readonly train: Uint32Array;
  readonly validation: Uint32Array;
  readonly test: Uint32Array;
}

/** The dataset version a job trains on. @throws StoreError `not_found` once the version is deleted. */
export async function jobDataset(deps: Pick<GatewayDeps, "store">, job: JobRecord): Promise<JobDataset> {
  const name = job.datasetRef.replace(/@v\d+$/, "");
  const version = await deps.store.datasets.get(job.owner, name, job.version);
  const manifest = fromBinary(DatasetManifestSchema, version.manifestBytes);
  if (manifest.samples === undefined) throw new Error(`dataset ${job.datasetRef} holds no samples`);
  return { version, manifest, layout: manifest.samples };
}

const splitCache = new Map<string, SplitIndices>();

/** Which samples are train, validation and test (docs/dataset-formats.md "Split"). Cached by split and count. */
export function splitIndices(layout: SampleLayout): SplitIndices {
  const s = layout.split;
  const spec: SplitSpec = {
    trainPermille: s?.trainPermille ?? 1000,
    validationPermille: s?.validationPermille ?? 0,
    testPermille: s?.testPermille ?? 0,
    seed: Number(s?.seed ?? 0n),
  };
  const n = Number(layout.numSamples);
  const key = `${spec.trainPermille}/${spec.validationPermille}/${spec.testPermille}/${spec.seed}/${n}`;
  const cached = splitCache.get(key);
  if (cached !== undefined) return cached;
  const parts: Record<SplitPart, number[]> = { train: [], validation: [], test: [] };
  for (let i = 0; i < n; i++) parts[splitOf(spec, i)].push(i);
  const result = {
    train: Uint32Array.from(parts.train),
    validation: Uint32Array.from(parts.validation),
    test: Uint32Array.from(parts.test),
  };
  if (splitCache.size >= 16) splitCache.delete(splitCache.keys().next().value!);
  splitCache.set(key, result);
  return result;
}

/** Each chunk's first sample index, and one past the last chunk's end (length numChunks + 1). */
export function chunkStarts(layout: SampleLayout): number[] {
  const starts = [0];
  for (const c of layout.chunkSampleCounts) starts.push(starts[starts.length - 1]! + c);
  return starts;
}

/** Whether the manifest's cipher lets the gateway grant per-chunk keys (or the data is not encrypted). */
export function grantable(manifest: DatasetManifest): boolean {
  return manifest.cipher === undefined || manifest.cipher.algorithm === CHUNK_KEY_ALGORITHM;
}

/**
 * Whether the gateway grants a version's chunk keys itself: unencrypted, or its key escrowed. When
 * not (Confidential and above), every new grant waits for the owner, so the engine changes no
 * shard of a running job on its own (joins, resizes).
 */
export function gatewayGrants(version: Pick<JobDataset["version"], "encrypted" | "escrowedKey">): boolean {
  return !version.encrypted || version.escrowedKey !== undefined;
}

/** The dataset key, when it is escrowed to the gateway; undefined otherwise. */
export async function escrowedDatasetKey(
  deps: Pick<GatewayDeps, "primitives" | "secrets">,
  version: DatasetVersionRecord,
): Promise<Uint8Array | undefined> {
  if (version.escrowedKey === undefined) return undefined;
  const opened = await unwrapDatasetKey(
    deps.primitives,
    fromBinary(WrappedKeySchema, version.escrowedKey),
    deps.secrets.escrow.secretKey,
  );
  if (!opened.ok)
    throw new Error(`the escrowed key of ${version.name}@v${version.version} does not open: ${opened.error.message}`);
  return opened.value;
}

/** Whether the gateway can read the samples: unencrypted, or its key escrowed. */
export function gatewayReadable(version: DatasetVersionRecord): boolean {
  return !version.encrypted || version.escrowedKey !== undefined;
}

/**
 * Reads the plaintext of chunks of a dataset the gateway can read: the stored blob, opened with
 * the escrowed key, decompressed. Returns a reader of one chunk at a time.
 */
export async function chunkReader(
  deps: Pick<GatewayDeps, "primitives" | "secrets" | "blobs">,
  data: JobDataset,
): Promise<(index: number) => Promise<Uint8Array>> {
  const { manifest, version } = data;
  const key = version.encrypted ? await escrowedDatasetKey(deps, version) : undefined;
  if (version.encrypted && key === undefined)
    throw new Error(`the gateway holds no key for ${version.name}@v${version.version}`);
  let cipher: Awaited<ReturnType<typeof createChunkCipher>> | undefined;
  if (key !== undefined) {
    cipher = await createChunkCipher(deps.primitives, key, manifest.cipher);
    key.fill(0);
    if (!cipher.ok) throw new Error(cipher.error.message);
  }
  const codec = manifest.codec === CompressionCodec.NONE ? undefined : await loadCodec(manifest.codec);
  const last = manifest.chunkDigests.length - 1;
  return async (index) => {
    const stored = await deps.blobs.get(manifest.chunkDigests[index]!);
    if (stored === undefined) throw new Error(`chunk ${index} of ${version.name}@v${version.version} is missing`);
    let plain = stored;
    if (cipher?.ok) {
      const opened = await cipher.value.open(index, index === last, stored);
      if (!opened.ok) throw new Error(opened.error.message);
      plain = opened.value;
    }
    if (codec !== undefined && manifest.compressed[index] === true) {
      const out = codec.decompress(plain, manifest.plainSizes[index]!);
      if (!out.ok) throw new Error(out.error.message);
      plain = out.value;
    }
    return plain;
  };
}

/** Every value of one column over the whole dataset, in sample order (for column strategies). */
export async function columnValues(
  read: (index: number) => Promise<Uint8Array>,
  numChunks: number,
  column: string,
): Promise<(string | number | bigint | null)[]> {
  const out: (string | number | bigint | null)[] = [];
  for (let i = 0; i < numChunks; i++) {
    const table = decodeSampleChunk(await read(i));
    const vector = table.getChild(column);
    if (vector === null) throw new Error(`chunk ${i} has no column "${column}"`);
    for (let r = 0; r < table.numRows; r++) {
      const v = vector.get(r) as unknown;
      out.push(
        typeof v === "number" || typeof v === "bigint" || typeof v === "string" ? v : v === null ? null : String(v),
      );
    }
  }
  return out;
}
