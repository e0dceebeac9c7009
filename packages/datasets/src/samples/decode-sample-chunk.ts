import * as arrow from "apache-arrow";
import { DatasetError } from "../formats/dataset-error.js";

/**
 * The samples of one chunk: its plaintext is one Arrow IPC stream (schema, one record batch,
 * end-of-stream), so a chunk read alone, out of order, is a complete table.
 *
 * @throws DatasetError CYXW_ERR_DS_BAD_HEADER when the bytes are not an Arrow IPC stream.
 */
export function decodeSampleChunk(bytes: Uint8Array): arrow.Table {
  try {
    return arrow.tableFromIPC(bytes);
  } catch (e) {
    throw new DatasetError(
      "CYXW_ERR_DS_BAD_HEADER",
      {},
      `the chunk is not an Arrow IPC stream (${(e as Error).message})`,
      { cause: e },
    );
  }
}
