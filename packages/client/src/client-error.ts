/**
 * The client's stable error codes: what an app or the CLI switches on. Messages are for people;
 * codes are for code. Protocol-level failures keep their CYXW_ERR_* code in the message
 * (docs/errors.md); these say what happened to the client's operation as a whole.
 */
export const CLIENT_ERROR_CODES = {
  CYXW_CLIENT_AUTH: "The gateway refused the token: missing, invalid, expired, or not allowed to do this.",
  CYXW_CLIENT_UNREACHABLE:
    "The gateway could not be reached (network, DNS, refused connection), or stayed unreachable through every reconnect.",
  CYXW_CLIENT_REFUSED:
    "The gateway refused a request or a chunk (invalid transfer, rejected manifest, a chunk refused too often, a policy close).",
  CYXW_CLIENT_NOT_FOUND: "The dataset, version or transfer does not exist (or is not the caller's).",
  CYXW_CLIENT_PROTOCOL: "The gateway answered something docs/upload-protocol.md does not allow.",
  CYXW_CLIENT_ESCROW:
    "Key escrow was asked for data it is not allowed for (Confidential and above, or unencrypted data), or the gateway offers no escrow key.",
  CYXW_CLIENT_KEY: "The dataset key is missing, wrong, or given for data that is not encrypted.",
  CYXW_CLIENT_INTEGRITY:
    "Downloaded data failed verification (FCS, SHA-256, Merkle proof, decryption or size); the message names the chunk.",
  CYXW_CLIENT_GATEWAY:
    "The gateway failed while handling a request (an internal error on its side); trying again later may work.",
  CYXW_CLIENT_CANCELLED: "The operation was cancelled by its caller.",
  CYXW_CLIENT_TLS:
    "The gateway's TLS certificate was refused (not issued by the trusted CA, not for this host, expired, or not the pinned one) or the TLS handshake failed; the message names both fingerprints for a pin mismatch.",
} as const;

/** One of the client's stable error codes. */
export type ClientErrorCode = keyof typeof CLIENT_ERROR_CODES;

/**
 * A failure of a client operation, with a stable `code`. Detect it with {@link isClientError}
 * (by `name`, so two copies of this package still recognise each other, STYLE §10).
 */
export class ClientError extends Error {
  override readonly name = "ClientError";
  /** The chunk the failure concerns, when there is one. */
  readonly chunkIndex: number | undefined;

  /**
   * @param code the stable code.
   * @param message what happened, for a person; the code is not repeated in it.
   * @param details the chunk concerned and the underlying error, kept for logs.
   */
  constructor(
    readonly code: ClientErrorCode,
    message: string,
    details: { chunkIndex?: number; cause?: unknown } = {},
  ) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.chunkIndex = details.chunkIndex;
  }
}

/** Whether `e` is a {@link ClientError}, judged by name and shape rather than `instanceof`. */
export function isClientError(e: unknown): e is ClientError {
  return (
    typeof e === "object" &&
    e !== null &&
    (e as { name?: unknown }).name === "ClientError" &&
    typeof (e as { code?: unknown }).code === "string" &&
    Object.hasOwn(CLIENT_ERROR_CODES, (e as { code: string }).code)
  );
}
