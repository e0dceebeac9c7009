import { decodeSampleChunk } from "@cyxwiz/datasets/samples";
import { chunkSamples, type SampleBatchOptions } from "./sample-batches.js";
import { TrainingError } from "./training-error.js";

/**
 * A chunk of samples to decode (one Arrow IPC stream, as `decodeSampleChunk` reads it): all its
 * rows, or only `rows` (row numbers within the chunk, taken in the order given).
 */
export type ChunkToDecode = Uint8Array | { readonly bytes: Uint8Array; readonly rows: ArrayLike<number> };

/** Samples decoded into one block: `features` row-major `count × featureSize`, `labels` class ids. */
export interface DecodedSamples {
  readonly features: Float32Array;
  readonly labels: Int32Array;
  readonly featureSize: number;
  readonly count: number;
}

/**
 * Every sample (or the chosen rows) of `chunks`, in order, decoded as `chunkSamples` decodes one
 * chunk (docs/training.md "Batches") and put together in one block: for a whole held-out split or
 * data set at once, where `sampleBatches` gives batches. Chunks are read and decoded one at a time,
 * so with `rows` only the rows kept and one chunk are in memory.
 *
 * @param chunks the chunks, or an async source that reads them as they are asked for.
 * @param columns the feature columns (concatenated per sample) and the label column.
 * @param ids label → class id, from `labelIds` of the manifest's label histogram.
 * @returns the samples; no chunks give `count` 0 and `featureSize` 0.
 * @throws TrainingError CYXW_ERR_TR_BAD_COLUMN as chunkSamples, or when chunks disagree on the
 *   feature width; CYXW_ERR_TR_BAD_OPTION for a row that is not in its chunk.
 */
export async function decodeSamples(
  chunks: Iterable<ChunkToDecode> | AsyncIterable<ChunkToDecode>,
  columns: Pick<SampleBatchOptions, "featureColumns" | "labelColumn">,
  ids: ReadonlyMap<string, number>,
): Promise<DecodedSamples> {
  const parts: { features: Float32Array; labels: Int32Array }[] = [];
  let featureSize: number | undefined;
  let count = 0;
  let k = 0;
  for await (const chunk of chunks) {
    const chosen = "bytes" in chunk;
    const all = chunkSamples(decodeSampleChunk(chosen ? chunk.bytes : chunk), columns, ids);
    if (featureSize !== undefined && all.featureSize !== featureSize)
      throw new TrainingError(
        "CYXW_ERR_TR_BAD_COLUMN",
        `chunks disagree on the feature width (${featureSize} then ${all.featureSize} in chunk ${k})`,
      );
    featureSize = all.featureSize;
    const part = chosen ? pickRows(all, chunk.rows, k) : all;
    parts.push(part);
    count += part.labels.length;
    k++;
  }
  const size = featureSize ?? 0;
  if (parts.length === 1) return { features: parts[0]!.features, labels: parts[0]!.labels, featureSize: size, count };
  const features = new Float32Array(count * size);
  const labels = new Int32Array(count);
  let at = 0;
  for (const p of parts) {
    features.set(p.features, at * size);
    labels.set(p.labels, at);
    at += p.labels.length;
  }
  return { features, labels, featureSize: size, count };
}

/** The `rows` of one decoded chunk (chunk number `k`, for the message), in the order given. */
function pickRows(
  all: { features: Float32Array; labels: Int32Array; featureSize: number },
  rows: ArrayLike<number>,
  k: number,
): { features: Float32Array; labels: Int32Array } {
  const w = all.featureSize;
  const n = all.labels.length;
  const features = new Float32Array(rows.length * w);
  const labels = new Int32Array(rows.length);
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i]!;
    if (!Number.isInteger(r) || r < 0 || r >= n)
      throw new TrainingError("CYXW_ERR_TR_BAD_OPTION", `row ${r} is not in chunk ${k}, which has ${n} rows`);
    features.set(all.features.subarray(r * w, (r + 1) * w), i * w);
    labels[i] = all.labels[r]!;
  }
  return { features, labels };
}
