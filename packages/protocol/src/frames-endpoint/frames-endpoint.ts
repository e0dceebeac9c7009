import type { ErrorCode } from "../errors/error-codes.js";

/**
 * The frames WebSocket (docs/upload-protocol.md §2): its path, its subprotocols and the way it
 * closes. The gateway serves it, the client SDK and its fake gateway speak it; all three read
 * these constants, so the two ends cannot drift apart.
 */

/** The subprotocol a client must offer and the gateway selects. */
export const FRAMES_SUBPROTOCOL = "cyxwiz.frames.v1";

/**
 * The prefix of the second subprotocol, which carries the session token ("bearer.<jwt>"): a
 * browser cannot set headers on a WebSocket upgrade.
 */
export const BEARER_SUBPROTOCOL_PREFIX = "bearer.";

/** The path as GetGatewayInfo announces it; "{transfer_id}" is replaced by the transfer's id. */
export const FRAMES_PATH_TEMPLATE = "/v1/transfers/{transfer_id}/frames";

/** The same path as a route pattern (fastify, find-my-way): the id is the parameter `id`. */
export const FRAMES_ROUTE = "/v1/transfers/:id/frames";

/** The path of one transfer's frames socket; the id is percent-encoded. */
export function framesPath(transferId: string, template: string = FRAMES_PATH_TEMPLATE): string {
  return template.replace("{transfer_id}", encodeURIComponent(transferId));
}

/** The transfer id in a request path (query string allowed), or undefined when it is not a frames path. */
export function transferIdOfFramesPath(path: string): string | undefined {
  const id = /^\/v1\/transfers\/([^/?]+)\/frames(?:\?.*)?$/.exec(path)?.[1];
  if (id === undefined) return undefined;
  try {
    return decodeURIComponent(id);
  } catch {
    return undefined;
  }
}

/** The subprotocols a client offers, in order: the frames one, then the token's when there is one. */
export function framesSubprotocols(token?: string): string[] {
  return token === undefined ? [FRAMES_SUBPROTOCOL] : [FRAMES_SUBPROTOCOL, `${BEARER_SUBPROTOCOL_PREFIX}${token}`];
}

/** The token among offered subprotocols ("cyxwiz.frames.v1", "bearer.<jwt>"), or undefined. */
export function bearerFromSubprotocols(offered: Iterable<string>): string | undefined {
  for (const p of offered) {
    const v = p.trim();
    if (v.startsWith(BEARER_SUBPROTOCOL_PREFIX)) return v.slice(BEARER_SUBPROTOCOL_PREFIX.length);
  }
  return undefined;
}

/** The WebSocket close codes the frames socket uses (RFC 6455 §7.4.1). */
export const CLOSE_CODES = {
  /** 1000: done. */
  NORMAL: 1000,
  /** 1002: a WebSocket protocol error (the peer broke RFC 6455 itself). */
  PROTOCOL_ERROR: 1002,
  /** 1003: the endpoint received data it cannot accept (a text message). */
  UNSUPPORTED_DATA: 1003,
  /** 1008: policy violation (no valid token, not the caller's transfer, too many frames in flight). */
  POLICY_VIOLATION: 1008,
  /** 1009: a message too big to process (the WebSocket library's payload limit; no reason text). */
  MESSAGE_TOO_BIG: 1009,
  /** 1011: the server met a condition it could not handle (storage failed). */
  INTERNAL_ERROR: 1011,
} as const;

/**
 * Why the gateway closes a frames socket: each reason is a code of the error catalogue
 * (src/errors, docs/errors.md) with the close code it is sent with. The close reason on the wire
 * is `CODE: message`, at most {@link MAX_CLOSE_REASON_LENGTH} characters.
 */
export const FRAMES_CLOSE_REASONS = {
  CYXW_ERR_AUTH: CLOSE_CODES.POLICY_VIOLATION,
  CYXW_ERR_TRANSFER: CLOSE_CODES.POLICY_VIOLATION,
  CYXW_ERR_FRAME: CLOSE_CODES.UNSUPPORTED_DATA,
  CYXW_ERR_WINDOW: CLOSE_CODES.POLICY_VIOLATION,
  CYXW_ERR_STORE: CLOSE_CODES.INTERNAL_ERROR,
} as const satisfies Partial<Record<ErrorCode, number>>;

/** A catalogue code the frames socket closes with. */
export type FramesCloseReason = keyof typeof FRAMES_CLOSE_REASONS;

/**
 * The longest close reason sent: RFC 6455 §5.5 allows 123 bytes after the 2-byte code; 120
 * characters leaves room for a multi-byte character cut at the end.
 */
export const MAX_CLOSE_REASON_LENGTH = 120;

/** The close code and reason text for one refusal ("CYXW_ERR_AUTH: sign in first"), cut to fit. */
export function framesClose(reason: FramesCloseReason, message: string): { code: number; reason: string } {
  return { code: FRAMES_CLOSE_REASONS[reason], reason: `${reason}: ${message}`.slice(0, MAX_CLOSE_REASON_LENGTH) };
}

/** The catalogue code a close reason starts with, or undefined when it names none of the frames socket's. */
export function framesCloseReasonOf(reason: string): FramesCloseReason | undefined {
  const code = /^(CYXW_ERR_[A-Z_]+)(?![A-Z_])/.exec(reason)?.[1];
  return code !== undefined && Object.hasOwn(FRAMES_CLOSE_REASONS, code) ? (code as FramesCloseReason) : undefined;
}
