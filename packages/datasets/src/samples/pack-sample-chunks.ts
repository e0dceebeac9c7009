import type * as arrow from "apache-arrow";
import { DatasetError } from "../formats/dataset-error.js";
import { batchToIpcStream } from "./arrow-ipc.js";
import { bodyBound, nullsPresent, stringColumnIndexes } from "./chunk-size-bound.js";
import { concatRows } from "./concat-rows.js";
import { describeColumns, LabelCounter, type SampleSummary } from "./sample-summary.js";

/** One chunk of whole samples: its bytes are one Arrow IPC stream. */
export interface SampleChunk {
  readonly bytes: Uint8Array;
  /** Index of the chunk's first sample in the dataset. */
  readonly firstSample: number;
  readonly sampleCount: number;
}

export interface PackOptions {
  /** Most bytes of one chunk. */
  readonly chunkSize: number;
  /** The label column, for the summary's roles and histogram. */
  readonly labelColumn?: string;
}

/** The chunks of a dataset, and what packing them learned. */
export interface SampleChunkStream extends AsyncIterable<SampleChunk> {
  /** The summary of the samples packed so far; complete once iteration has ended. */
  summary(): SampleSummary;
}

/** Slack for the IPC metadata's size varying with the row count (flatbuffers omit zero defaults). */
const METADATA_SLACK = 64;

/**
 * Packs samples into chunks of whole samples (ARCHITECTURE: a dataset is split at sample
 * boundaries). Each chunk is ONE self-contained Arrow IPC stream — schema message, one record
 * batch, end-of-stream — of at most `chunkSize` bytes, holding as many samples as fit by an upper
 * bound on the IPC size computed from the rows themselves (chunk-size-bound.ts), then checked on
 * the real bytes. The bytes depend only on the rows, the schema and the options, never on how
 * the input was batched, and are identical in every runtime.
 *
 * @throws DatasetError CYXW_ERR_DS_SAMPLE_TOO_LARGE (from the iteration) naming the sample when one
 *   sample alone does not fit; CYXW_ERR_DS_BAD_OPTION for a chunk size that is not a positive integer
 *   or a label column the schema lacks.
 */
export function packSampleChunks(
  schema: arrow.Schema,
  batches: AsyncIterable<arrow.RecordBatch>,
  options: PackOptions,
): SampleChunkStream {
  const { chunkSize } = options;
  if (!Number.isSafeInteger(chunkSize) || chunkSize < 1) {
    throw new DatasetError("CYXW_ERR_DS_BAD_OPTION", {}, `chunkSize must be a positive integer; got ${chunkSize}`);
  }
  if (options.labelColumn !== undefined && !schema.fields.some((f) => f.name === options.labelColumn)) {
    throw new DatasetError(
      "CYXW_ERR_DS_BAD_OPTION",
      {},
      `there is no column "${options.labelColumn}" to use as the label`,
    );
  }
  const columns = describeColumns(schema, options.labelColumn);
  const labels = new LabelCounter();
  const counts: number[] = [];
  let numSamples = 0;
  const summary = (): SampleSummary => ({
    columns,
    numSamples,
    chunkSampleCounts: counts.slice(),
    ...(options.labelColumn !== undefined ? { labelColumn: options.labelColumn } : {}),
    labelHistogram: labels.histogram(),
    labelHistogramComplete: labels.complete,
  });

  async function* chunks(): AsyncGenerator<SampleChunk> {
    const pending = new PendingRows(schema);
    let overhead: number | undefined;
    const emit = (): SampleChunk => {
      overhead ??= measureOverhead(schema, pending);
      let n = pending.maxRowsWithin(chunkSize - overhead);
      for (;;) {
        if (n === 0) {
          const one = batchToIpcStream(concatRows(schema, pending.peek(1)));
          throw new DatasetError(
            "CYXW_ERR_DS_SAMPLE_TOO_LARGE",
            {},
            `sample ${numSamples} takes ${one.length} bytes as Arrow IPC, more than the chunk size of ${chunkSize}; choose a larger chunk size`,
          );
        }
        const batch = concatRows(schema, pending.peek(n));
        const bytes = batchToIpcStream(batch);
        if (bytes.length <= chunkSize) {
          pending.drop(n);
          const chunk = { bytes, firstSample: numSamples, sampleCount: n };
          if (options.labelColumn !== undefined) labels.add(batch.getChild(options.labelColumn));
          numSamples += n;
          counts.push(n);
          return chunk;
        }
        n--;
      }
    };
    for await (const batch of batches) {
      if (batch.numRows === 0) continue;
      pending.push(batch);
      while (pending.bound(pending.rows) + (overhead ?? 0) > chunkSize) yield emit();
    }
    while (pending.rows > 0) yield emit();
  }

  const iterable = chunks();
  return { summary, [Symbol.asyncIterator]: () => iterable };
}

/**
 * The IPC bytes besides the batch body: the schema message and the batch's metadata (each an
 * 8-byte prefix — continuation marker and length — plus its flatbuffer) and the 8-byte
 * end-of-stream marker, read from a one-row stream (the metadata's size does not depend on the row
 * count once there is a row), plus slack.
 */
function measureOverhead(schema: arrow.Schema, pending: PendingRows): number {
  const one = batchToIpcStream(concatRows(schema, pending.peek(1)));
  const view = new DataView(one.buffer, one.byteOffset, one.byteLength);
  const schemaLen = view.getInt32(4, true);
  const batchLen = view.getInt32(8 + schemaLen + 4, true);
  return 8 + schemaLen + 8 + batchLen + 8 + METADATA_SLACK;
}

/** Rows waiting to be packed, as a queue of batch slices. */
class PendingRows {
  private batches: arrow.RecordBatch[] = [];
  rows = 0;
  private readonly strings: number[];
  /** Per column and list child: whether any pending row may be null there (then a validity bitmap is counted). */
  private nulls: boolean[] = [];

  constructor(private readonly schema: arrow.Schema) {
    this.strings = stringColumnIndexes(schema);
  }

  push(batch: arrow.RecordBatch): void {
    this.batches.push(batch);
    this.rows += batch.numRows;
    this.nulls = nullsPresent(this.schema, this.batches);
  }

  /** Upper bound on the body bytes of the first n rows. */
  bound(n: number): number {
    const bytes = this.strings.map(() => 0);
    let left = n;
    for (const b of this.batches) {
      if (left === 0) break;
      const take = Math.min(left, b.numRows);
      this.strings.forEach((c, k) => {
        const o = b.data.children[c]!.valueOffsets as Int32Array;
        bytes[k]! += o[take]! - o[0]!;
      });
      left -= take;
    }
    return bodyBound(this.schema.fields, n, bytes, this.nulls);
  }

  /** The most leading rows whose body bound is at most `budget` (binary search: the bound grows with n). */
  maxRowsWithin(budget: number): number {
    let lo = 0;
    let hi = this.rows;
    while (lo < hi) {
      const mid = Math.ceil((lo + hi) / 2);
      if (this.bound(mid) <= budget) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  /** The first n rows, as slices. */
  peek(n: number): arrow.RecordBatch[] {
    const out: arrow.RecordBatch[] = [];
    let left = n;
    for (const b of this.batches) {
      if (left === 0) break;
      const take = Math.min(left, b.numRows);
      out.push(take === b.numRows ? b : b.slice(0, take));
      left -= take;
    }
    return out;
  }

  drop(n: number): void {
    let left = n;
    while (left > 0) {
      const b = this.batches[0]!;
      if (b.numRows <= left) {
        this.batches.shift();
        left -= b.numRows;
      } else {
        this.batches[0] = b.slice(left);
        left = 0;
      }
    }
    this.rows -= n;
  }
}
