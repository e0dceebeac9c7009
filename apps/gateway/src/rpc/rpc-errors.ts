import { Code, ConnectError } from "@connectrpc/connect";
import { isProtocolError } from "@cyxwiz/protocol/errors";
import { isStoreError, type StoreErrorCode } from "../store/index.js";

const storeCodes: Record<StoreErrorCode, Code> = {
  invalid_argument: Code.InvalidArgument,
  not_found: Code.NotFound,
  already_exists: Code.AlreadyExists,
  conflict: Code.FailedPrecondition,
  digest_mismatch: Code.DataLoss,
  corrupt_blob: Code.DataLoss,
  migration_mismatch: Code.Internal,
  data_dir_in_use: Code.Unavailable,
};

/**
 * Turns any error into a ConnectError with one of Connect's fixed codes (STYLE §7): store and
 * protocol errors keep their (safe, specific) message; anything unexpected becomes INTERNAL with
 * a generic message, its cause kept for the log only.
 */
export function toConnectError(e: unknown): ConnectError {
  if (e instanceof ConnectError) return e;
  if (isStoreError(e)) return new ConnectError(e.message, storeCodes[e.code], undefined, undefined, e);
  if (isProtocolError(e)) return new ConnectError(e.message, Code.InvalidArgument, undefined, undefined, e);
  return new ConnectError("internal error (logged on the gateway)", Code.Internal, undefined, undefined, e);
}

export const invalidArgument = (message: string) => new ConnectError(message, Code.InvalidArgument);
export const permissionDenied = (message: string) => new ConnectError(message, Code.PermissionDenied);
export const failedPrecondition = (message: string) => new ConnectError(message, Code.FailedPrecondition);
export const notFound = (message: string) => new ConnectError(message, Code.NotFound);
export const resourceExhausted = (message: string) => new ConnectError(message, Code.ResourceExhausted);
