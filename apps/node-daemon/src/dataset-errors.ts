import { isDatasetError } from "@cyxwiz/datasets/formats";
import { isScanError } from "@cyxwiz/datasets/scan";
import { isShardingError } from "@cyxwiz/datasets/sharding";
import { badInput } from "./exit-codes.js";

/**
 * The error a dataset command ends with: the datasets package's typed errors (DatasetError with
 * its place, ShardingError, ScanError) become bad input (exit 2) with their message; anything
 * else is returned as it is.
 */
export function cliErrorOfDataset(e: unknown): unknown {
  if (isDatasetError(e) || isShardingError(e) || isScanError(e)) return badInput((e as Error).message);
  return e;
}

/** Runs `work`, turning the datasets package's typed errors into bad input (exit 2). */
export async function withDatasetErrors<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (e) {
    throw cliErrorOfDataset(e);
  }
}
