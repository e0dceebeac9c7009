import { fromBinary } from "@bufbuild/protobuf";
import {
  CLOSE_CODES,
  FRAMES_PATH_TEMPLATE,
  FRAMES_SUBPROTOCOL,
  framesPath as fillFramesPath,
  framesCloseReasonOf,
  framesSubprotocols,
} from "@cyxwiz/protocol/frames-endpoint";
import { type FrameStreamMessage, FrameStreamMessageSchema } from "@cyxwiz/protocol/gen";
import { ClientError } from "./client-error.js";
import { after } from "./timers.js";
import { tlsFailureOf } from "./tls-failure.js";

/** The frames subprotocol (docs/upload-protocol.md §2); the gateway must select it. */
export { FRAMES_SUBPROTOCOL };
/** The frames path when the gateway's GetGatewayInfo does not name one (@cyxwiz/protocol/frames-endpoint). */
export const DEFAULT_FRAMES_PATH = FRAMES_PATH_TEMPLATE;

/**
 * The part of a WebSocket the client uses: what the browser's `WebSocket` and the `ws`
 * package's both provide.
 */
export interface WebSocketLike {
  binaryType: string;
  readonly protocol: string;
  readonly readyState: number;
  readonly bufferedAmount: number;
  /** The negotiated extensions ("" when none). */
  readonly extensions?: string;
  send(data: Uint8Array): void;
  close(code?: number, reason?: string): void;
  addEventListener(type: "open", listener: () => void): void;
  addEventListener(type: "message", listener: (event: { readonly data: unknown }) => void): void;
  addEventListener(type: "close", listener: (event: { readonly code: number; readonly reason: string }) => void): void;
  addEventListener(
    type: "error",
    listener: (event: { readonly message?: string; readonly error?: unknown }) => void,
  ): void;
}

/**
 * Opens a WebSocket. The entry point supplies it: the global `WebSocket` in browsers, the `ws`
 * package in Node 20 (which has no global one).
 */
export type WebSocketFactory = (url: string, protocols: string[]) => WebSocketLike;

/** How a frames socket ended. */
export interface FrameSocketClose {
  /** The close code (RFC 6455 §7.4): 1000 normal, 1006 dropped, 1008 policy, 1003 unsupported data… */
  readonly code: number;
  /** The gateway's reason, "CYXW_ERR_…: message" for a policy close; may be empty. */
  readonly reason: string;
  /** Why the connection failed when the runtime said (e.g. "Unexpected server response: 401"), or a message the client could not decode. */
  readonly detail?: string;
}

/** An open frames WebSocket: frames out, decoded gateway messages in. */
export interface FrameSocket extends AsyncIterable<FrameStreamMessage> {
  readonly url: string;
  /**
   * Queues one CYXW frame (one binary message).
   * @returns false when the socket is no longer open (the frame was not sent).
   */
  send(frame: Uint8Array): boolean;
  /**
   * Whether `send` is done with the frame's bytes when it returns, so the caller may reuse the
   * buffer: a browser's WebSocket copies what it sends, and `ws` masks into a copy; only a
   * compressing extension (permessage-deflate) could hold on to them.
   */
  readonly copiesOnSend: boolean;
  /** Closes the socket (1000 by default; browsers allow only 1000 and 3000-4999 from a client). */
  close(code?: number, reason?: string): void;
  /** Resolves once the socket is closed, with the code and reason; never rejects. */
  readonly closed: Promise<FrameSocketClose>;
  /** Bytes queued but not yet handed to the network. */
  readonly bufferedAmount: number;
}

/** What {@link openFrameSocket} needs: the runtime's WebSocket, the URL and the token. */
export interface OpenFrameSocketOptions {
  readonly createWebSocket: WebSocketFactory;
  /** The ws:// or wss:// URL, e.g. from {@link framesUrl}. */
  readonly url: string;
  /** The session JWT, sent as the second subprotocol "bearer.<token>" (browsers cannot set headers on a WebSocket). */
  readonly token: string;
  /** Give up opening after this long (default 15 s). */
  readonly openTimeoutMs?: number;
}

const OPEN = 1;

/**
 * The WebSocket URL of a transfer's frames: the gateway's base URL with http(s) turned into
 * ws(s), joined with the frames path template (GetGatewayInfo.frames_path, "{transfer_id}"
 * replaced). A base URL with a path prefix keeps it, as Connect's base URL does.
 *
 * @throws TypeError when `baseUrl` is not http(s) or the template has no "{transfer_id}".
 */
export function framesUrl(baseUrl: string, framesPath: string, transferId: string): string {
  const m = /^(http)(s?):\/\/(.+?)\/*$/i.exec(baseUrl);
  if (m === null) throw new TypeError(`gateway URL must be http:// or https://, got ${JSON.stringify(baseUrl)}`);
  const template = framesPath === "" ? DEFAULT_FRAMES_PATH : framesPath;
  if (!template.includes("{transfer_id}"))
    throw new TypeError(`frames path ${JSON.stringify(template)} has no {transfer_id}`);
  const path = fillFramesPath(transferId, template);
  return `ws${m[2]!.toLowerCase()}://${m[3]}${path.startsWith("/") ? "" : "/"}${path}`;
}

/**
 * Opens a transfer's frames WebSocket with subprotocols `["cyxwiz.frames.v1", "bearer.<token>"]`
 * (docs/upload-protocol.md §2) and checks that the gateway selected `cyxwiz.frames.v1`.
 * Gateway messages are decoded as `FrameStreamMessage`s and yielded in order; iteration ends when
 * the socket closes. A message that is not a binary FrameStreamMessage makes the client close the
 * socket; `closed` then reports code 1003 with the reason in `detail`.
 *
 * @throws ClientError CYXW_CLIENT_UNREACHABLE when the socket closes or times out before it
 *   opens (the close code and any reason are in the message); CYXW_CLIENT_AUTH when the gateway
 *   closes it at once with a "CYXW_ERR_AUTH" reason; CYXW_CLIENT_PROTOCOL when the gateway
 *   selects another subprotocol; CYXW_CLIENT_TLS when the gateway's certificate is refused or
 *   the TLS handshake fails (Node's `ws`; docs/operations.md).
 */
export function openFrameSocket(options: OpenFrameSocketOptions): Promise<FrameSocket> {
  const ws = options.createWebSocket(options.url, framesSubprotocols(options.token));
  ws.binaryType = "arraybuffer";
  const queue: FrameStreamMessage[] = [];
  let waiter: (() => void) | undefined;
  let closeInfo: FrameSocketClose | undefined;
  let detail: string | undefined;
  /** A certificate refused or a TLS handshake failed while opening (Node's `ws` only). */
  let tlsFailure: ClientError | undefined;
  /** Set when the client itself ends the socket over a bad gateway message (reported as 1003). */
  let violation: string | undefined;
  let resolveClosed: (c: FrameSocketClose) => void = () => {};
  const closed = new Promise<FrameSocketClose>((resolve) => {
    resolveClosed = resolve;
  });
  const wake = () => {
    const w = waiter;
    waiter = undefined;
    w?.();
  };

  ws.addEventListener("message", (event) => {
    const bytes = binaryData(event.data);
    if (violation !== undefined) return;
    if (bytes === undefined) {
      violation = "the gateway sent a text message; frames sockets carry binary FrameStreamMessages only";
      ws.close(CLOSE_CODES.NORMAL, "");
      return;
    }
    try {
      queue.push(fromBinary(FrameStreamMessageSchema, bytes));
    } catch (e) {
      violation = `a gateway message is not a FrameStreamMessage: ${(e as Error).message}`;
      ws.close(CLOSE_CODES.NORMAL, "");
      return;
    }
    wake();
  });
  ws.addEventListener("error", (event) => {
    const message = event.message ?? (event.error instanceof Error ? event.error.message : undefined);
    if (message !== undefined && message !== "") detail ??= message;
    tlsFailure ??= tlsFailureOf(event.error, `cannot open the frames socket ${redact(options.url)}`);
  });
  ws.addEventListener("close", (event) => {
    closeInfo =
      violation === undefined
        ? { code: event.code, reason: event.reason, ...(detail === undefined ? {} : { detail }) }
        : { code: CLOSE_CODES.UNSUPPORTED_DATA, reason: "", detail: violation };
    resolveClosed(closeInfo);
    wake();
  });

  const socket: FrameSocket = {
    url: options.url,
    get copiesOnSend() {
      return (ws.extensions ?? "") === "";
    },
    send(frame) {
      if (ws.readyState !== OPEN || closeInfo !== undefined) return false;
      ws.send(frame);
      return true;
    },
    close(code = 1000, reason = "") {
      if (closeInfo === undefined) ws.close(code, reason);
    },
    closed,
    get bufferedAmount() {
      return ws.bufferedAmount;
    },
    async *[Symbol.asyncIterator]() {
      for (;;) {
        const next = queue.shift();
        if (next !== undefined) {
          yield next;
          continue;
        }
        if (closeInfo !== undefined) return;
        await new Promise<void>((resolve) => {
          waiter = resolve;
        });
      }
    },
  };

  return new Promise<FrameSocket>((resolve, reject) => {
    const cancelTimer = after(options.openTimeoutMs ?? 15_000, () => {
      detail ??= "timed out opening the frames socket";
      ws.close(CLOSE_CODES.NORMAL, "");
      reject(
        new ClientError("CYXW_CLIENT_UNREACHABLE", `cannot open the frames socket ${redact(options.url)}: timed out`),
      );
    });
    ws.addEventListener("open", () => {
      cancelTimer();
      if (ws.protocol !== FRAMES_SUBPROTOCOL) {
        ws.close(CLOSE_CODES.NORMAL, "");
        reject(
          new ClientError(
            "CYXW_CLIENT_PROTOCOL",
            `the gateway selected subprotocol ${JSON.stringify(ws.protocol)} on ${redact(options.url)}; expected ${FRAMES_SUBPROTOCOL}`,
          ),
        );
        return;
      }
      resolve(socket);
    });
    void closed.then((c) => {
      cancelTimer();
      // After "open" this rejection is a no-op: the promise is already settled.
      reject(tlsFailure ?? closeError(c, `the frames socket ${redact(options.url)} closed before it opened`));
    });
  });
}

/** The error a frames socket's close means, when it ends a transfer or prevents one. */
export function closeError(c: FrameSocketClose, context: string): ClientError {
  const said = `${context} (code ${c.code}${c.reason === "" ? "" : `, "${c.reason}"`}${c.detail === undefined ? "" : `, ${c.detail}`})`;
  // CYXW_ERR_PERMISSION: what gateways before the probe-proof answers sent (docs/errors.md).
  if (
    framesCloseReasonOf(c.reason) === "CYXW_ERR_AUTH" ||
    /^CYXW_ERR_PERMISSION\b/.test(c.reason) ||
    /\b401\b|\b403\b/.test(c.detail ?? "")
  )
    return new ClientError("CYXW_CLIENT_AUTH", said);
  if (/subprotocol/i.test(c.detail ?? "")) return new ClientError("CYXW_CLIENT_PROTOCOL", said); // the server did not select cyxwiz.frames.v1
  if (isFinalClose(c))
    return new ClientError(
      c.code === CLOSE_CODES.POLICY_VIOLATION ? "CYXW_CLIENT_REFUSED" : "CYXW_CLIENT_PROTOCOL",
      said,
    );
  return new ClientError("CYXW_CLIENT_UNREACHABLE", said);
}

/**
 * Whether a close ends the transfer for good (docs/upload-protocol.md §2: bad token, unknown or
 * someone else's transfer, a transfer not in progress close with 1008 or 1003), as opposed to a
 * dropped connection or a restarting gateway that a reconnect can get past.
 */
export function isFinalClose(c: FrameSocketClose): boolean {
  return (
    c.code === CLOSE_CODES.POLICY_VIOLATION ||
    c.code === CLOSE_CODES.UNSUPPORTED_DATA ||
    c.code === CLOSE_CODES.PROTOCOL_ERROR
  );
}

function binaryData(data: unknown): Uint8Array | undefined {
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  if (ArrayBuffer.isView(data)) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  return undefined;
}

/** A URL for messages, without anything a proxy might have put in its query. */
function redact(url: string): string {
  const q = url.indexOf("?");
  return q < 0 ? url : url.slice(0, q);
}
