import { ClientError, isClientError } from "./client-error.js";

/**
 * Node's codes for a TLS handshake or certificate check that failed: OpenSSL's X509_V_ERR_* names
 * as Node reports them (DEPTH_ZERO_SELF_SIGNED_CERT, UNABLE_TO_VERIFY_LEAF_SIGNATURE,
 * CERT_HAS_EXPIRED…), ERR_TLS_CERT_ALTNAME_INVALID for a host name the certificate does not
 * name, and ERR_SSL_* for a handshake that failed (no TLS 1.3, plaintext on the other end).
 */
const TLS_ERROR_CODE =
  /^(ERR_TLS_|ERR_SSL_|DEPTH_ZERO_SELF_SIGNED_CERT$|SELF_SIGNED_CERT_IN_CHAIN$|UNABLE_TO_|CERT_|HOSTNAME_MISMATCH$|INVALID_CA$|INVALID_PURPOSE$)/;

/**
 * The TLS failure in an error's cause chain, as a CYXW_CLIENT_TLS ClientError: one already made
 * (a certificate that does not match the pin), or one for a Node TLS error code. Runtime-neutral:
 * it reads only `code`, `message` and `cause`, so it is safe on a browser's errors too (which
 * never carry these codes; a browser handles TLS itself).
 *
 * @param doing what the client was doing, for the message ("GetDataset at https://…").
 * @returns undefined when nothing in the chain is a TLS failure.
 */
export function tlsFailureOf(e: unknown, doing: string): ClientError | undefined {
  let cause: unknown = e;
  for (let depth = 0; depth < 6 && typeof cause === "object" && cause !== null; depth++) {
    if (isClientError(cause) && cause.code === "CYXW_CLIENT_TLS")
      return new ClientError("CYXW_CLIENT_TLS", `${doing}: ${cause.message}`, { cause: e });
    const c = cause as { code?: unknown; message?: unknown; cause?: unknown };
    if (typeof c.code === "string" && TLS_ERROR_CODE.test(c.code))
      return new ClientError(
        "CYXW_CLIENT_TLS",
        `${doing}: the gateway's TLS certificate or handshake was refused: ${String(c.message)} [${c.code}]`,
        { cause: e },
      );
    cause = c.cause;
  }
  return undefined;
}
