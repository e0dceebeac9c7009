import type * as arrow from "apache-arrow";
import type { InputFile } from "../samples/input-file.js";

/** The limits every reader honours (defaults in `DEFAULT_LIMITS`). */
export interface ReadLimits {
  /** Most columns a table may have (CSV, TSV, JSON Lines, Parquet). */
  readonly maxColumns: number;
  /** Most bytes a reader holds in memory at once for a format read whole (zip, gzipped IDX). */
  readonly maxInMemoryBytes: number;
}

export const DEFAULT_LIMITS: ReadLimits = { maxColumns: 10_000, maxInMemoryBytes: 1 << 30 };

/** What a reader is asked for; `readSamples` fills in the defaults. */
export interface ReaderOptions {
  readonly limits: ReadLimits;
  /** Resize every image to this size (nearest neighbour) instead of requiring one size. */
  readonly imageSize?: { readonly width: number; readonly height: number };
  /** Rows per record batch the reader emits (about). */
  readonly batchRows: number;
  /** Called after each read from the files with the bytes read so far and the total the reader will read. */
  readonly onProgress?: (bytesRead: number, totalBytes: number) => void;
}

/** A reader's result before the label column is chosen. */
export interface ReaderOutput {
  readonly schema: arrow.Schema;
  /** The format's own label column (IDX labels, image folders, a labels .npy), if it has one. */
  readonly naturalLabel?: string;
  readonly batches: AsyncIterable<arrow.RecordBatch>;
}

/** The first bytes of a file, for detection. */
export interface FileHead {
  readonly path: string;
  readonly size: number;
  /** The first bytes, inflated when the file is gzip (`gzipped`). */
  readonly head: Uint8Array;
  readonly gzipped: boolean;
}

/**
 * One dataset format: how confident it is that some files are its own (0: not mine; 1: the
 * extension only; 2: the content), and how to read them. One module per format, registered in
 * format-registry.ts.
 */
export interface FormatReader {
  readonly name: string;
  detect(heads: readonly FileHead[]): number;
  /** Reads the files; throws `DatasetError` for bad input (as a rejected promise or from the iterator). */
  read(files: readonly InputFile[], options: ReaderOptions): Promise<ReaderOutput>;
}

/** Confidence levels of `FormatReader.detect`. */
export const NOT_MINE = 0;
export const BY_EXTENSION = 1;
export const BY_CONTENT = 2;
