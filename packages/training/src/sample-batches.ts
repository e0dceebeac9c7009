import { tensorInfo } from "@cyxwiz/datasets/formats";
import { decodeSampleChunk } from "@cyxwiz/datasets/samples";
import { epochOrder } from "@cyxwiz/datasets/sharding";
import * as arrow from "apache-arrow";
import { imageRegions, shiftImages } from "./shift-augment.js";
import { TrainingError } from "./training-error.js";

/** One batch as plain arrays: `features` is `size × featureSize` float32, row-major; `labels` class ids. */
export interface SampleBatch {
  readonly features: Float32Array;
  readonly labels: Int32Array;
  readonly size: number;
  readonly featureSize: number;
}

export interface SampleBatchOptions {
  /** Feature columns, concatenated per sample: tensor columns (uint8 scaled to [0,1]) and numeric scalars. */
  readonly featureColumns: readonly string[];
  readonly labelColumn: string;
  /** The labels in the manifest's label-histogram order; a label's class id is its index (labelIds). */
  readonly labels: readonly string[];
  readonly batchSize: number;
  /** The most batches decoded ahead of the consumer (default 4): the memory bound (docs/training.md "Batches"). */
  readonly maxBatchesInMemory?: number;
  /**
   * Shuffle, two levels deep so memory stays bounded (docs/training.md "Batches"): the chunks in
   * epochOrder(chunks, seed, epoch), and each chunk's rows in epochOrder(rows, seed + 1 + chunk,
   * epoch). Without it, batches follow the chunks' order.
   */
  readonly shuffle?: { readonly seed: number; readonly epoch: number };
  /**
   * Shift augmentation: each sample's images (tensor feature columns of 2 or 3 dimensions) move
   * by a random offset of up to this many pixels in x and y, zero-filled (shift-augment.ts; docs/
   * training.md "Augmentation"). The offsets follow the shuffle's seed and epoch. 0 or unset: off.
   */
  readonly shiftPixels?: number;
}

/** The stable label → class id map: each label's index in the manifest's label histogram. */
export function labelIds(histogram: readonly (string | { readonly label: string })[]): Map<string, number> {
  return new Map(histogram.map((h, i) => [typeof h === "string" ? h : h.label, i]));
}

function badColumn(detail: string): never {
  throw new TrainingError("CYXW_ERR_TR_BAD_COLUMN", detail);
}

/** The width of one sample of a feature column (a tensor's element count, 1 for a scalar). */
function columnWidth(field: arrow.Field): number {
  const info = tensorInfo(field);
  if (info !== undefined) return info.shape.reduce((a, b) => a * b, 1);
  if (arrow.DataType.isInt(field.type) || arrow.DataType.isFloat(field.type)) return 1;
  return badColumn(`column "${field.name}" is ${field.type}: a feature must be a tensor or numeric column`);
}

/** Writes one column's values for all rows into `out` (row stride `stride`, starting at `at`). */
function writeColumn(table: arrow.Table, field: arrow.Field, out: Float32Array, stride: number, at: number): void {
  const vec = table.getChild(field.name)!;
  const info = tensorInfo(field);
  if (info === undefined) {
    for (let r = 0; r < table.numRows; r++) out[r * stride + at] = Number(vec.get(r) ?? 0);
    return;
  }
  const width = info.shape.reduce((a, b) => a * b, 1);
  const scale = info.dtype === "uint8" ? 1 / 255 : 1;
  let row = 0;
  for (const d of vec.data) {
    const child = d.children[0]!;
    const values = child.values as ArrayLike<number | bigint>;
    for (let r = 0; r < d.length; r++, row++) {
      const src = child.offset + r * width;
      const dst = row * stride + at;
      for (let k = 0; k < width; k++) out[dst + k] = Number(values[src + k]) * scale;
    }
  }
}

/**
 * One decoded chunk as features and labels.
 * @throws TrainingError CYXW_ERR_TR_BAD_COLUMN for a missing or unusable column or a label not in the map.
 */
export function chunkSamples(
  table: arrow.Table,
  options: Pick<SampleBatchOptions, "featureColumns" | "labelColumn">,
  ids: ReadonlyMap<string, number>,
): { features: Float32Array; labels: Int32Array; featureSize: number } {
  const fields = options.featureColumns.map((name) => {
    const f = table.schema.fields.find((x) => x.name === name);
    return f ?? badColumn(`feature column "${name}" is not in the chunk`);
  });
  if (fields.length === 0) badColumn("no feature columns were given");
  const widths = fields.map(columnWidth);
  const featureSize = widths.reduce((a, b) => a + b, 0);
  const features = new Float32Array(table.numRows * featureSize);
  let at = 0;
  fields.forEach((f, i) => {
    writeColumn(table, f, features, featureSize, at);
    at += widths[i]!;
  });
  const labelVec =
    table.getChild(options.labelColumn) ?? badColumn(`label column "${options.labelColumn}" is not in the chunk`);
  const labels = new Int32Array(table.numRows);
  for (let r = 0; r < table.numRows; r++) {
    const label = String(labelVec.get(r));
    const id = ids.get(label);
    if (id === undefined)
      badColumn(`label "${label}" of row ${r} of column "${options.labelColumn}" is not in the label map`);
    labels[r] = id;
  }
  return { features, labels, featureSize };
}

/**
 * Batches of `batchSize` samples (the last may be smaller) from chunks of whole samples, in order,
 * decoding ahead of the consumer at most `maxBatchesInMemory` batches.
 * @throws TrainingError CYXW_ERR_TR_BAD_OPTION for a bad batch size, CYXW_ERR_TR_BAD_COLUMN as chunkSamples.
 */
export function sampleBatches(
  chunks: Iterable<Uint8Array> | AsyncIterable<Uint8Array>,
  options: SampleBatchOptions,
): AsyncGenerator<SampleBatch> {
  if (!Number.isInteger(options.batchSize) || options.batchSize < 1)
    throw new TrainingError("CYXW_ERR_TR_BAD_OPTION", `batchSize must be a positive integer, not ${options.batchSize}`);
  const max = options.maxBatchesInMemory ?? 4;
  if (!Number.isInteger(max) || max < 1)
    throw new TrainingError("CYXW_ERR_TR_BAD_OPTION", `maxBatchesInMemory must be a positive integer, not ${max}`);
  return prefetch(batchesOf(chunks, options), max);
}

async function* batchesOf(
  chunks: Iterable<Uint8Array> | AsyncIterable<Uint8Array>,
  options: SampleBatchOptions,
): AsyncGenerator<SampleBatch> {
  const ids = labelIds(options.labels);
  const n = options.batchSize;
  let pendingF: Float32Array | undefined;
  let pendingL: Int32Array | undefined;
  let fill = 0;
  let featureSize = 0;
  const shuffle = options.shuffle;
  let source: Iterable<Uint8Array> | AsyncIterable<Uint8Array> = chunks;
  if (shuffle !== undefined) {
    const all: Uint8Array[] = [];
    for await (const c of chunks) all.push(c);
    source = all.length === 0 ? [] : Array.from(epochOrder(all.length, shuffle.seed, shuffle.epoch), (i) => all[i]!);
  }
  let chunkNumber = 0;
  for await (const bytes of source) {
    const table = decodeSampleChunk(bytes);
    const decoded = chunkSamples(table, options, ids);
    if ((options.shiftPixels ?? 0) > 0) {
      const shapes = options.featureColumns.map((name) => {
        const field = table.schema.fields.find((f) => f.name === name);
        return { shape: (field === undefined ? undefined : tensorInfo(field)?.shape) ?? [] };
      });
      shiftImages(decoded.features, decoded.featureSize, imageRegions(shapes), options.shiftPixels!, {
        seed: shuffle?.seed ?? 0,
        epoch: shuffle?.epoch ?? 0,
        chunk: chunkNumber,
      });
    }
    const s =
      shuffle === undefined || decoded.labels.length < 2
        ? decoded
        : permuteRows(
            decoded,
            epochOrder(decoded.labels.length, (shuffle.seed + 1 + chunkNumber) % 0x1_0000_0000, shuffle.epoch),
          );
    chunkNumber++;
    if (pendingF === undefined || s.featureSize !== featureSize) {
      if (pendingF !== undefined && fill > 0)
        badColumn(`chunks disagree on the feature width (${featureSize} then ${s.featureSize})`);
      featureSize = s.featureSize;
      pendingF = new Float32Array(n * featureSize);
      pendingL = new Int32Array(n);
    }
    let r = 0;
    const rows = s.labels.length;
    while (r < rows) {
      const take = Math.min(n - fill, rows - r);
      pendingF.set(s.features.subarray(r * featureSize, (r + take) * featureSize), fill * featureSize);
      pendingL!.set(s.labels.subarray(r, r + take), fill);
      fill += take;
      r += take;
      if (fill === n) {
        yield { features: pendingF, labels: pendingL!, size: n, featureSize };
        pendingF = new Float32Array(n * featureSize);
        pendingL = new Int32Array(n);
        fill = 0;
      }
    }
  }
  if (fill > 0 && pendingF !== undefined)
    yield {
      features: pendingF.slice(0, fill * featureSize),
      labels: pendingL!.slice(0, fill),
      size: fill,
      featureSize,
    };
}

/** The rows of decoded samples in the order `order` gives. */
function permuteRows(
  s: { features: Float32Array; labels: Int32Array; featureSize: number },
  order: Uint32Array,
): { features: Float32Array; labels: Int32Array; featureSize: number } {
  const w = s.featureSize;
  const features = new Float32Array(s.features.length);
  const labels = new Int32Array(s.labels.length);
  order.forEach((from, to) => {
    features.set(s.features.subarray(from * w, (from + 1) * w), to * w);
    labels[to] = s.labels[from]!;
  });
  return { features, labels, featureSize: w };
}

/**
 * Runs `source` ahead of its consumer, holding at most `max` items not yet taken: the producer
 * waits when the buffer is full. Errors reach the consumer in order.
 */
export async function* prefetch<T>(source: AsyncIterator<T> | AsyncIterable<T>, max: number): AsyncGenerator<T> {
  const it = Symbol.asyncIterator in source ? source[Symbol.asyncIterator]() : source;
  const buffer: Promise<IteratorResult<T>>[] = [];
  let done = false;
  const pull = () => {
    const p = it.next();
    p.then(
      (r) => {
        if (r.done) done = true;
      },
      () => {
        done = true;
      },
    );
    buffer.push(p);
  };
  try {
    for (let i = 0; i < max; i++) pull();
    while (buffer.length > 0) {
      const r = await buffer.shift()!;
      if (r.done) return;
      if (!done) pull();
      yield r.value;
    }
  } finally {
    await it.return?.();
  }
}
