import type { FormatReader } from "./format-reader.js";

/**
 * The dataset formats, by name: the one list (the CLI's `--format`, the dashboard's options and
 * docs/dataset-formats.md follow it). Adding a format is one module and one line here. Each
 * reader is imported on first use; readers load their heavy libraries (hyparquet, the image
 * decoders) only when they read, so detection stays light and a page that reads CSV never loads
 * the JPEG decoder.
 */
const FACTORIES = {
  csv: async () => (await import("./csv-format.js")).csvFormat,
  tsv: async () => (await import("./tsv-format.js")).tsvFormat,
  parquet: async () => (await import("./parquet-format.js")).parquetFormat,
  jsonl: async () => (await import("./jsonl-format.js")).jsonlFormat,
  npy: async () => (await import("./npy-format.js")).npyFormat,
  idx: async () => (await import("./idx-format.js")).idxFormat,
  images: async () => (await import("./images-format.js")).imagesFormat,
} as const satisfies Record<string, () => Promise<FormatReader>>;

/** A format's name. */
export type FormatName = keyof typeof FACTORIES;

/** Every format name, in the registry's order (detection's tie-break order too). */
export const FORMAT_NAMES = Object.keys(FACTORIES) as readonly FormatName[];

/** True when `name` is one of FORMAT_NAMES. */
export function isFormatName(name: string): name is FormatName {
  return Object.hasOwn(FACTORIES, name);
}

/** The reader of a format. */
export function loadFormat(name: FormatName): Promise<FormatReader> {
  return FACTORIES[name]();
}
