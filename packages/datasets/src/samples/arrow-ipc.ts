import * as arrow from "apache-arrow";

/** One self-contained Arrow IPC stream: the schema message, the batch, and the end-of-stream marker. */
export function batchToIpcStream(batch: arrow.RecordBatch): Uint8Array {
  return arrow.RecordBatchStreamWriter.writeAll([batch]).toUint8Array(true);
}
