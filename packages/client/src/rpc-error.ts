import { Code, ConnectError } from "@connectrpc/connect";
import { ClientError, type ClientErrorCode, isClientError } from "./client-error.js";
import { tlsFailureOf } from "./tls-failure.js";

/**
 * Turns whatever an RPC threw into a {@link ClientError}: Connect's fixed codes (STYLE §7) map to
 * the client's stable codes; the gateway's message, which is safe to show (it carries the
 * CYXW_ERR_* code where there is one), is kept.
 *
 * @param e what the call threw.
 * @param doing what the client was doing, for the message ("GetGatewayInfo at https://…").
 */
export function toClientError(e: unknown, doing: string): ClientError {
  if (isClientError(e)) return e;
  // A refused certificate is not a network hiccup: say so, and do not retry it (docs/operations.md).
  const tls = tlsFailureOf(e, doing);
  if (tls !== undefined) return tls;
  const ce = ConnectError.from(e);
  const code = clientCodeOf(ce);
  const reason = code === "CYXW_CLIENT_UNREACHABLE" ? unreachableReason(ce) : ce.rawMessage;
  return new ClientError(code, `${doing}: ${describe(code)}${reason === "" ? "" : `: ${reason}`}`, { cause: e });
}

/** Whether a failed call is worth trying again after a pause (the gateway may come back). */
export function isTransient(e: unknown): boolean {
  if (isClientError(e)) return e.code === "CYXW_CLIENT_UNREACHABLE" || e.code === "CYXW_CLIENT_GATEWAY";
  if (tlsFailureOf(e, "") !== undefined) return false; // the same certificate will be refused again
  if ((e as { name?: unknown } | null)?.name !== "ConnectError") return false; // a local failure (a file read…): retrying will not help
  const code = (e as ConnectError).code;
  return (
    code === Code.Unavailable ||
    code === Code.Aborted ||
    code === Code.DeadlineExceeded ||
    code === Code.Internal ||
    code === Code.Unknown
  );
}

function clientCodeOf(ce: ConnectError): ClientErrorCode {
  switch (ce.code) {
    case Code.Unauthenticated:
    case Code.PermissionDenied:
      return "CYXW_CLIENT_AUTH";
    case Code.Unavailable:
    case Code.DeadlineExceeded:
    case Code.Aborted:
      return "CYXW_CLIENT_UNREACHABLE";
    case Code.NotFound:
      return "CYXW_CLIENT_NOT_FOUND";
    case Code.Canceled:
      return "CYXW_CLIENT_CANCELLED";
    case Code.InvalidArgument:
    case Code.FailedPrecondition:
    case Code.AlreadyExists:
    case Code.OutOfRange:
    case Code.ResourceExhausted:
    case Code.DataLoss:
      return "CYXW_CLIENT_REFUSED";
    case Code.Unimplemented:
      return "CYXW_CLIENT_PROTOCOL";
    case Code.Unknown:
      // A browser's failed fetch ("Failed to fetch", "NetworkError…") arrives as Unknown.
      return /fetch|network|ECONNREFUSED|ENOTFOUND|socket hang up/i.test(ce.rawMessage)
        ? "CYXW_CLIENT_UNREACHABLE"
        : "CYXW_CLIENT_GATEWAY";
    case Code.Internal:
      return "CYXW_CLIENT_GATEWAY";
    default:
      return "CYXW_CLIENT_GATEWAY";
  }
}

function describe(code: ClientErrorCode): string {
  switch (code) {
    case "CYXW_CLIENT_AUTH":
      return "the gateway refused the token";
    case "CYXW_CLIENT_UNREACHABLE":
      return "cannot reach the gateway";
    case "CYXW_CLIENT_NOT_FOUND":
      return "not found";
    case "CYXW_CLIENT_CANCELLED":
      return "cancelled";
    case "CYXW_CLIENT_REFUSED":
      return "refused by the gateway";
    case "CYXW_CLIENT_PROTOCOL":
      return "the gateway does not speak this protocol";
    default:
      return "the gateway failed";
  }
}

/** The most specific network reason in the error's cause chain (ECONNREFUSED, ENOTFOUND…). */
function unreachableReason(ce: ConnectError): string {
  let cause: unknown = ce.cause;
  for (let depth = 0; depth < 5 && typeof cause === "object" && cause !== null; depth++) {
    const c = cause as { code?: unknown; message?: unknown; cause?: unknown };
    if (typeof c.code === "string" && /^E[A-Z_]+$/.test(c.code)) return c.code;
    cause = c.cause;
  }
  return ce.rawMessage;
}
