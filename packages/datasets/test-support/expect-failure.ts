import { isDatasetError } from "../src/formats/dataset-error.js";

/** The DatasetError a read throws, from the call or from iterating its batches; fails otherwise. */
export async function datasetFailure(p: Promise<unknown>): Promise<{ code: string; place: object; message: string }> {
  try {
    const s = (await p) as { batches?: AsyncIterable<unknown> } | undefined;
    if (s?.batches !== undefined) for await (const _ of s.batches);
  } catch (e) {
    if (isDatasetError(e)) return e;
    throw e;
  }
  throw new Error("expected a DatasetError, but the read succeeded");
}
