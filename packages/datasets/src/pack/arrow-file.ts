import * as arrow from "apache-arrow";
import { decodeSampleChunk } from "../samples/decode-sample-chunk.js";

/**
 * A dataset of samples as one Arrow IPC file: every chunk's record batch, in chunk order, under
 * one schema — what a download or an unpack of a dataset of samples saves (the chunks themselves
 * are one IPC stream each, docs/dataset-formats.md). `plaintext` is the chunks one after another
 * and `plainSizes` where they are cut (the manifest's `plain_sizes`).
 *
 * @throws DatasetError CYXW_ERR_DS_BAD_HEADER naming the chunk that is not an Arrow IPC stream,
 *   and RangeError when the sizes do not add up to the bytes given.
 */
export function arrowFileOf(plaintext: Uint8Array, plainSizes: readonly number[]): Uint8Array {
  const total = plainSizes.reduce((a, b) => a + b, 0);
  if (total !== plaintext.length)
    throw new RangeError(`the chunk sizes add up to ${total} bytes; ${plaintext.length} were given`);
  const tables: arrow.Table[] = [];
  let at = 0;
  for (const size of plainSizes) {
    tables.push(decodeSampleChunk(plaintext.subarray(at, at + size)));
    at += size;
  }
  return arrowFileOfTables(tables);
}

/** Chunks already decoded (one table each, in chunk order) as one Arrow IPC file. */
export function arrowFileOfTables(tables: readonly arrow.Table[]): Uint8Array {
  return arrow.tableToIPC(new arrow.Table(tables.flatMap((t) => t.batches)), "file");
}
