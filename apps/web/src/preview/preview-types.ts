/**
 * The props of the dataset preview components: plain data only (no Arrow tables, no clients), so
 * whoever wires a preview to a dataset converts once and the components stay easy to test.
 */

/** One column as a header shows it. */
export interface PreviewColumn {
  readonly name: string;
  /** The column's type as the dataset's schema names it, e.g. `int64`, `float32`, `utf8`, `bool`. */
  readonly type: string;
}

/** `SampleTable`: the first rows of a tabular dataset. */
export interface SampleTableProps {
  readonly columns: readonly PreviewColumn[];
  /** One array per row, one cell per column, already formatted; `null` is shown as a missing value. */
  readonly rows: readonly (readonly (string | null)[])[];
  /** Rows in the whole dataset, to say "first 20 of 60,000". */
  readonly totalRows?: number;
  /** The table's caption (default "Sample rows"). */
  readonly caption?: string;
}

/** One image sample: `width × height × channels` bytes, row by row, channels interleaved. */
export interface PreviewImage {
  readonly label: string;
  readonly width: number;
  readonly height: number;
  /** 1 grey, 3 RGB, 4 RGBA. */
  readonly channels: 1 | 3 | 4;
  readonly pixels: Uint8Array;
}

/** `ImageGrid`: thumbnails of image samples, each with its label under it. */
export interface ImageGridProps {
  readonly images: readonly PreviewImage[];
  /** The thumbnail's longer side in CSS pixels (default 96); small images are scaled up sharply. */
  readonly thumbnailSize?: number;
  readonly caption?: string;
}

/** Statistics of one column, from a scan of the dataset. */
export interface ColumnStats {
  readonly name: string;
  readonly type: string;
  /** Missing values. */
  readonly nulls: number;
  /** Values scanned (nulls included), to show nulls as a share; omitted when unknown. */
  readonly count?: number;
  /** Smallest and largest value (numbers, or strings for dates and text); omitted when not meaningful. */
  readonly min?: number | string;
  readonly max?: number | string;
  /** Mean of a numeric column. */
  readonly mean?: number;
  /** Distinct values (exact or estimated). */
  readonly distinct?: number;
}

/** `ColumnStatsTable`: one row per column. */
export interface ColumnStatsTableProps {
  readonly columns: readonly ColumnStats[];
  readonly caption?: string;
}

/** How many samples carry one class label. */
export interface ClassCount {
  readonly label: string;
  readonly count: number;
}

/** `ClassHistogram`: samples per class, as bars. */
export interface ClassHistogramProps {
  readonly classes: readonly ClassCount[];
  /** The chart's title, also its accessible name (default "Samples per class"). */
  readonly title?: string;
  /** Chart height in CSS pixels (default 240). */
  readonly height?: number;
}

/** One shard of a sharding preview. */
export interface ShardPreview {
  /** 0-based shard index. */
  readonly shard: number;
  readonly samples: number;
  /** Samples per class in this shard; when given for any shard, the bars are stacked by class. */
  readonly classes?: readonly ClassCount[];
}

/** `ShardPreviewChart`: samples per shard as bars, stacked by class when per-class counts are given. */
export interface ShardPreviewChartProps {
  readonly shards: readonly ShardPreview[];
  readonly title?: string;
  readonly height?: number;
}

/** A sharding strategy the panel offers (the list comes from whoever owns the strategies). */
export interface ShardingStrategyOption {
  /** The strategy's name in a {@link ShardingSpec}, e.g. `sample`, `hash`. */
  readonly name: string;
  /** What the select shows, e.g. "Hash of a column". */
  readonly label: string;
  /** Whether the strategy reads a column (hash, class-balanced, custom). */
  readonly needsColumn?: boolean;
  /** Whether the strategy takes a seed. */
  readonly usesSeed?: boolean;
  readonly description?: string;
}

/** What `ShardingPanel` reports: a complete, valid choice. */
export interface ShardingSpec {
  readonly strategy: string;
  /** Whole number from 1 to the panel's `maxShards`. */
  readonly shardCount: number;
  /** Present when the strategy needs a column. */
  readonly column?: string;
  /** Present when the strategy uses a seed: a whole number from 0 to 2^32 − 1. */
  readonly seed?: number;
}

/** `ShardingPanel`: the sharding form. */
export interface ShardingPanelProps {
  readonly strategies: readonly ShardingStrategyOption[];
  /** Columns a strategy may read. */
  readonly columns: readonly string[];
  /** Where the form starts (default: the first strategy, 4 shards, the first column, seed 0). */
  readonly initial?: Partial<ShardingSpec>;
  /** Most shards allowed (default 1024). */
  readonly maxShards?: number;
  /** Called on every change that leaves the form valid; never with an invalid spec. */
  readonly onChange: (spec: ShardingSpec) => void;
}
