/**
 * The stable error codes of the dataset readers and the sample packer (STYLE §8).
 * docs/dataset-formats.md lists each one; a test checks the two agree.
 */
export const DATASET_ERROR_CODES = {
  CYXW_ERR_DS_EMPTY: "A file holds no bytes, or no samples.",
  CYXW_ERR_DS_UNKNOWN_FORMAT: "No reader recognises the files, or the format named is not one of the registry's.",
  CYXW_ERR_DS_MALFORMED_ROW: "A CSV/TSV row has a different number of fields than the header, or broken quoting.",
  CYXW_ERR_DS_MALFORMED_JSON: "A JSON Lines line is not a JSON object.",
  CYXW_ERR_DS_ENCODING: "Text that is not valid UTF-8.",
  CYXW_ERR_DS_TOO_MANY_COLUMNS: "More columns than the column limit (10,000 unless set).",
  CYXW_ERR_DS_TRUNCATED: "A file ends before the data its own structure promises (a Parquet footer, an NPY body).",
  CYXW_ERR_DS_BAD_HEADER: "A binary header that cannot be read or that lies about the file's size (IDX, NPY).",
  CYXW_ERR_DS_COUNT_MISMATCH: "Files that must describe the same samples disagree on how many there are.",
  CYXW_ERR_DS_IMAGE_SIZE:
    "Images of different sizes without an `imageSize` option, or an image that cannot be decoded.",
  CYXW_ERR_DS_UNSUPPORTED: "A valid file using a feature the readers do not support (big-endian NPY, Fortran order).",
  CYXW_ERR_DS_BAD_OPTION:
    "An option that does not fit the data (a label column that does not exist, a bad chunk size).",
  CYXW_ERR_DS_SAMPLE_TOO_LARGE: "One sample's Arrow encoding is larger than the chunk size.",
} as const;

/** One of the dataset error codes. */
export type DatasetErrorCode = keyof typeof DATASET_ERROR_CODES;

/** Where in the input a problem lies; every field that is known is set. Lines and columns count from 1. */
export interface DatasetErrorPlace {
  readonly file?: string;
  readonly line?: number;
  readonly column?: number;
  readonly byteOffset?: number;
}

/**
 * The one error class of `@cyxwiz/datasets`: a stable `code`, the `place` it concerns, and a
 * message that names both (`CYXW_ERR_DS_MALFORMED_ROW: data.csv line 7: ...`). Recognise it with
 * `isDatasetError` (by name, STYLE §10).
 */
export class DatasetError extends Error {
  override readonly name = "DatasetError";
  readonly code: DatasetErrorCode;
  readonly place: DatasetErrorPlace;

  constructor(code: DatasetErrorCode, place: DatasetErrorPlace, detail: string, options?: { cause?: unknown }) {
    super(`${code}: ${describePlace(place)}${detail}`, options);
    this.code = code;
    this.place = place;
  }
}

/** True for a `DatasetError` from any copy of this package. */
export function isDatasetError(e: unknown): e is DatasetError {
  return typeof e === "object" && e !== null && (e as { name?: unknown }).name === "DatasetError";
}

function describePlace(p: DatasetErrorPlace): string {
  const parts: string[] = [];
  if (p.file !== undefined) parts.push(p.file);
  if (p.line !== undefined) parts.push(`line ${p.line}`);
  if (p.column !== undefined) parts.push(`column ${p.column}`);
  if (p.byteOffset !== undefined) parts.push(`byte ${p.byteOffset}`);
  return parts.length === 0 ? "" : `${parts.join(" ")}: `;
}
