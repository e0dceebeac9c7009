import { arrowFileOfTables } from "@cyxwiz/datasets/pack";
import { decodeSampleChunk } from "@cyxwiz/datasets/samples";
import { ClientError } from "../client-error.js";

/** One contiguous run of dataset-wide sample indices, end exclusive (the proto's SampleRange). */
export interface SampleSpan {
  readonly start: bigint;
  readonly end: bigint;
}

/**
 * The rows of a shard (its `samples` ranges) out of its chunks: each chunk's table, cut to the
 * ranges that fall in it, as one Arrow IPC buffer per chunk (what sampleBatches reads). A chunk's
 * first sample's dataset-wide index is `firstSamples[k]` for `chunks[k]`.
 *
 * @returns the selected rows per chunk (chunks with none left out) and their count.
 * @throws ClientError CYXW_CLIENT_PROTOCOL when the assignment's lists disagree in length or a range
 *   selects samples no chunk holds.
 */
export function selectShardRows(
  chunks: readonly Uint8Array[],
  firstSamples: readonly bigint[],
  ranges: readonly SampleSpan[],
): { readonly selected: Uint8Array[]; readonly samples: number } {
  if (firstSamples.length !== chunks.length)
    throw new ClientError(
      "CYXW_CLIENT_PROTOCOL",
      `the assignment gives ${firstSamples.length} chunk_first_samples for ${chunks.length} chunks`,
    );
  const selected: Uint8Array[] = [];
  let samples = 0;
  let covered = 0;
  chunks.forEach((bytes, k) => {
    const table = decodeSampleChunk(bytes);
    const first = Number(firstSamples[k]!);
    const end = first + table.numRows;
    const parts = [];
    for (const r of ranges) {
      const a = Math.max(Number(r.start), first);
      const b = Math.min(Number(r.end), end);
      if (a >= b) continue;
      parts.push(table.slice(a - first, b - first));
      covered += b - a;
    }
    const rows = parts.reduce((n, t) => n + t.numRows, 0);
    if (rows === 0) return;
    samples += rows;
    selected.push(arrowFileOfTables(parts));
  });
  const wanted = ranges.reduce((n, r) => n + Math.max(0, Number(r.end - r.start)), 0);
  if (covered !== wanted)
    throw new ClientError(
      "CYXW_CLIENT_PROTOCOL",
      `the assignment's sample ranges select ${wanted} samples; its chunks hold ${covered} of them`,
    );
  return { selected, samples };
}
