import type { InputFile } from "../samples/input-file.js";
import { DatasetError } from "./dataset-error.js";
import { type FileHead, NOT_MINE } from "./format-reader.js";
import { FORMAT_NAMES, type FormatName, isFormatName, loadFormat } from "./format-registry.js";
import { gunzipHead } from "./gunzip-head.js";
import { MAGIC, startsWith } from "./sniff.js";

/** Bytes of each file's head that detection looks at. */
export const HEAD_BYTES = 4096;

/**
 * Chooses the format of some files: an `override` (a registry name) wins; otherwise every
 * reader scores the files' first bytes (format-reader.ts: content beats extension), the highest
 * score wins and ties go to the registry's order. A gzipped file is judged by its inflated head.
 *
 * @throws DatasetError CYXW_ERR_DS_UNKNOWN_FORMAT for an override that is not a format name or
 *   files no reader recognises; CYXW_ERR_DS_EMPTY for no files or a 0-byte file.
 */
export async function detectFormat(files: readonly InputFile[], override?: string): Promise<FormatName> {
  if (override !== undefined) {
    if (!isFormatName(override)) {
      throw new DatasetError(
        "CYXW_ERR_DS_UNKNOWN_FORMAT",
        {},
        `"${override}" is not a dataset format (${FORMAT_NAMES.join(", ")})`,
      );
    }
    return override;
  }
  if (files.length === 0) throw new DatasetError("CYXW_ERR_DS_EMPTY", {}, "no files were given");
  const heads = await Promise.all(files.map(headOf));
  let best: FormatName | undefined;
  let bestScore = NOT_MINE;
  for (const name of FORMAT_NAMES) {
    const score = (await loadFormat(name)).detect(heads);
    if (score > bestScore) [best, bestScore] = [name, score];
  }
  if (best === undefined) {
    const which = files.length === 1 ? { file: files[0]!.path } : {};
    throw new DatasetError(
      "CYXW_ERR_DS_UNKNOWN_FORMAT",
      which,
      `no reader recognises ${files.length === 1 ? "the file" : `these ${files.length} files`}; name the format (${FORMAT_NAMES.join(", ")})`,
    );
  }
  return best;
}

async function headOf(file: InputFile): Promise<FileHead> {
  if (file.source.size === 0)
    throw new DatasetError("CYXW_ERR_DS_EMPTY", { file: file.path }, "the file is empty (0 bytes)");
  const raw = await file.source.read(0, Math.min(HEAD_BYTES, file.source.size));
  const gzipped = startsWith(raw, MAGIC.gzip);
  const head = gzipped ? (gunzipHead(raw) ?? raw) : raw;
  return { path: file.path, size: file.source.size, head, gzipped };
}
