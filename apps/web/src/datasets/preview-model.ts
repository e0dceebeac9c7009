import { columnStats, decodeSampleChunk, imageSamples, previewRows } from "@cyxwiz/datasets/samples";
import { ColumnRole, type DatasetManifest, type SampleLayout } from "@cyxwiz/protocol/gen";
import { toHex } from "../format/hex.js";
import type {
  ClassCount,
  ColumnStatsTableProps,
  ImageGridProps,
  PreviewImage,
  SampleTableProps,
} from "../preview/preview-types.js";

/** Rows of the first chunk shown in the sample table. */
export const PREVIEW_ROWS = 10;
/** Thumbnails shown for a tensor column of images. */
export const PREVIEW_IMAGES = 16;
/** Bytes of an opaque file's first chunk shown as hex and text. */
export const PREVIEW_BYTES = 256;

/** One column of a dataset of samples, as the schema table lists it. */
export interface SchemaRow {
  readonly name: string;
  readonly type: string;
  readonly role: "feature" | "label";
  /** Tensor columns: "uint8[28×28]"; otherwise undefined. */
  readonly tensor?: string;
}

/** What the preview panel shows of a dataset of samples. */
export interface SamplesPreview {
  readonly kind: "samples";
  /** The source format, e.g. "csv", "idx", and the name it was uploaded from. */
  readonly format: string;
  readonly originalName: string;
  readonly numSamples: number;
  readonly numChunks: number;
  readonly schema: readonly SchemaRow[];
  readonly table: SampleTableProps;
  /** Absent without a tensor column of images. */
  readonly images?: ImageGridProps;
  readonly stats: ColumnStatsTableProps;
  /** The whole dataset's label counts, from the manifest; empty without a label column. */
  readonly histogram: readonly ClassCount[];
  readonly labelColumn?: string;
  /** "train 80% · validation 10% · test 10%"; undefined when the manifest has none. */
  readonly split?: string;
  /** "source order" or "class-balanced, 4 shards". */
  readonly order: string;
}

/** What the preview panel shows of an opaque file. */
export interface FilePreview {
  readonly kind: "file";
  readonly size: number;
  readonly numChunks: number;
  /** The first bytes as lowercase hex, two digits a byte, space-separated. */
  readonly hex: string;
  /** The same bytes as text: printable ASCII as is, anything else as "·". */
  readonly text: string;
  /** Bytes shown (at most {@link PREVIEW_BYTES}). */
  readonly shown: number;
}

/** The manifest's sample layout, when the version is a dataset of samples (manifest format 2). */
export function sampleLayoutOf(manifest: DatasetManifest | undefined): SampleLayout | undefined {
  const s = manifest?.samples;
  return s !== undefined && s.columns.length > 0 ? s : undefined;
}

/**
 * The preview of a version from its manifest and the verified plaintext of chunk 0.
 * @throws DatasetError when chunk 0 of a dataset of samples is not an Arrow IPC stream.
 */
export function previewOf(manifest: DatasetManifest, firstChunk: Uint8Array): SamplesPreview | FilePreview {
  const layout = sampleLayoutOf(manifest);
  const numChunks = manifest.metadata?.numChunks ?? 0;
  if (layout === undefined) return filePreviewOf(Number(manifest.metadata?.totalSize ?? 0n), numChunks, firstChunk);
  return samplesPreviewOf(layout, numChunks, firstChunk);
}

export function samplesPreviewOf(layout: SampleLayout, numChunks: number, firstChunk: Uint8Array): SamplesPreview {
  const table = decodeSampleChunk(firstChunk);
  const rows = previewRows(table, PREVIEW_ROWS);
  const types = new Map(layout.columns.map((c) => [c.name, c.arrowType]));
  const labelColumn = layout.labelColumn === "" ? undefined : layout.labelColumn;
  const images: PreviewImage[] = imageSamples(table, PREVIEW_IMAGES, labelColumn === undefined ? {} : { labelColumn })
    .filter((i) => i.channels === 1 || i.channels === 3 || i.channels === 4)
    .map((i) => ({
      label: i.label ?? "",
      width: i.width,
      height: i.height,
      channels: i.channels as 1 | 3 | 4,
      pixels: i.pixels,
    }));
  const n = table.numRows;
  const stats = columnStats(table).map((s) => ({
    name: s.name,
    type: types.get(s.name) ?? s.type,
    nulls: s.nulls,
    count: s.count,
    ...(s.min === undefined ? {} : { min: s.min }),
    ...(s.max === undefined ? {} : { max: s.max }),
    ...(s.mean === undefined ? {} : { mean: s.mean }),
    distinct: s.distinct,
  }));
  return {
    kind: "samples",
    format: layout.sourceFormat,
    originalName: layout.originalName,
    numSamples: Number(layout.numSamples),
    numChunks,
    schema: layout.columns.map((c) => ({
      name: c.name,
      type: c.arrowType,
      role: c.role === ColumnRole.LABEL ? "label" : "feature",
      ...(c.dtype === "" ? {} : { tensor: c.shape.length === 0 ? c.dtype : `${c.dtype}[${c.shape.join("×")}]` }),
    })),
    table: {
      columns: rows.columns.map((name) => ({ name, type: types.get(name) ?? "" })),
      rows: rows.rows,
      totalRows: Number(layout.numSamples),
      caption: `The first ${rows.rows.length} of ${Number(layout.numSamples)} samples`,
    },
    ...(images.length === 0
      ? {}
      : {
          images: {
            images,
            caption: `The first ${images.length} images${labelColumn ? `, labelled by ${labelColumn}` : ""}`,
          },
        }),
    stats: { columns: stats, caption: `Column statistics of the first chunk's ${n} ${n === 1 ? "sample" : "samples"}` },
    histogram: layout.labelHistogram.map((l) => ({ label: l.label, count: Number(l.count) })),
    ...(labelColumn === undefined ? {} : { labelColumn }),
    ...(layout.split === undefined ? {} : { split: splitText(layout.split) }),
    order: orderText(layout.order),
  };
}

/** "train 80% · validation 10% · test 10%" from the split's thousandths. */
export function splitText(split: { trainPermille: number; validationPermille: number; testPermille: number }): string {
  const pct = (permille: number) => `${permille / 10}%`;
  return `train ${pct(split.trainPermille)} · validation ${pct(split.validationPermille)} · test ${pct(split.testPermille)}`;
}

/** How the samples were ordered when packed. */
export function orderText(order: SampleLayout["order"]): string {
  if (order === undefined || order.strategy === "" || order.strategy === "source") return "source order";
  const shards = `${order.shards} ${order.shards === 1 ? "shard" : "shards"}`;
  return `${order.strategy}${order.column === "" ? "" : ` by ${order.column}`}, ${shards}`;
}

export function filePreviewOf(size: number, numChunks: number, firstChunk: Uint8Array): FilePreview {
  const head = firstChunk.subarray(0, PREVIEW_BYTES);
  const hex = (toHex(head).match(/../g) ?? []).join(" ");
  let text = "";
  for (const b of head) text += b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : "·";
  return { kind: "file", size, numChunks, hex, text, shown: head.length };
}
