/**
 * `@cyxwiz/client`, Node entry (the `node` export condition): Connect over HTTP/1.1
 * (connect-node), the `ws` package's WebSocket (Node 20 has no global one), and a JSON-file
 * store for upload state. Same API as the browser entry, plus those two and the TLS trust a
 * browser decides for itself (a CA file, a certificate pin: docs/operations.md).
 */
import { createConnectTransport } from "@connectrpc/connect-node";
import WebSocket from "ws";
import type { WebSocketFactory } from "./frame-socket.js";
import { createGatewayClients, type GatewayClients, type GatewayConnection } from "./gateway-clients.js";
import { uploadSessionFactory } from "./runtime-entry.js";
import type { TlsConnectOptions } from "./tls-trust.node.js";

export type { ClientErrorCode } from "./client-error.js";
// The same hand-picked surface in both entry points (STYLE §3, §4).
export { CLIENT_ERROR_CODES, ClientError, isClientError } from "./client-error.js";
export type { DatasetPreview, PreviewOptions } from "./dataset-preview.js";
export { previewDataset } from "./dataset-preview.js";
export type { DownloadOptions, DownloadProgress, DownloadResult, DownloadSignal } from "./download.js";
export { DEFAULT_DOWNLOAD_IN_FLIGHT, downloadDataset } from "./download.js";
export type {
  FrameSocket,
  FrameSocketClose,
  OpenFrameSocketOptions,
  WebSocketFactory,
  WebSocketLike,
} from "./frame-socket.js";
export { DEFAULT_FRAMES_PATH, FRAMES_SUBPROTOCOL, framesUrl, openFrameSocket } from "./frame-socket.js";
export type { GatewayClients, GatewayConnection, TransportFactory } from "./gateway-clients.js";
export { bearerInterceptor, createGatewayClients } from "./gateway-clients.js";
export { applyJobEvent } from "./job-watch-state.js";
export { createJsonFileStateStore } from "./json-file-state-store.node.js";
export { isTransient, toClientError } from "./rpc-error.js";
export type { RuntimeUploadOptions } from "./runtime-entry.js";
export type { TlsConnectOptions, TlsTrust } from "./tls-trust.node.js";
export { parsePinSha256, resolveTlsTrust } from "./tls-trust.node.js";
export type { ChunkRecord, TransferState, TransferStateStore } from "./transfer-state.js";
export { parseTransferState } from "./transfer-state.js";
export type {
  ReconnectOptions,
  UploadEvent,
  UploadOptions,
  UploadProgress,
  UploadResult,
  UploadSession,
} from "./upload/upload-types.js";
export { DEFAULT_MAX_CHUNK_RETRIES, DEFAULT_WINDOW } from "./upload/upload-types.js";

/** Gateway messages are small FrameStreamMessages; anything near this size is not one. */
const MAX_GATEWAY_MESSAGE_BYTES = 1024 * 1024;

/**
 * A WebSocket factory over the `ws` package (no per-message compression: frames are compressed or
 * encrypted already) that verifies a wss:// gateway's certificate with `tls` (from
 * {@link resolveTlsTrust}; Node's defaults when undefined).
 */
export function nodeWebSocketWith(tls: TlsConnectOptions | undefined): WebSocketFactory {
  // @types/ws declares checkServerIdentity as (servername, CertMeta) => boolean, but ws hands its
  // options to tls.connect as they are (ws/lib/websocket.js, tlsConnect), where Node's
  // (host, PeerCertificate) => Error | undefined is what is called.
  const trust = tls as WebSocket.ClientOptions | undefined;
  return (url, protocols) =>
    new WebSocket(url, protocols, { perMessageDeflate: false, maxPayload: MAX_GATEWAY_MESSAGE_BYTES, ...trust });
}

/** A WebSocket from the `ws` package, trusting the system's CAs for wss://. */
export const nodeWebSocket: WebSocketFactory = nodeWebSocketWith(undefined);

/**
 * Clients for the gateway's services over connect-node with HTTP/1.1, every call carrying the
 * token; an https:// gateway's certificate is verified with `options.tls` (from
 * {@link resolveTlsTrust}; Node's defaults when undefined).
 *
 * @throws TypeError for a base URL that is not http(s) or a token that is not a JWT.
 */
export function connectGateway(
  connection: GatewayConnection,
  options: { readonly tls?: TlsConnectOptions } = {},
): GatewayClients {
  const tls = options.tls;
  return createGatewayClients(connection, ({ baseUrl, interceptors }) =>
    createConnectTransport({
      baseUrl,
      httpVersion: "1.1",
      interceptors,
      ...(tls === undefined ? {} : { nodeOptions: { ...tls } }),
    }),
  );
}

/**
 * A resumable upload (docs/upload-protocol.md) over `ws`; see `UploadOptions` in
 * upload/upload-types.ts for every option.
 *
 * @throws ClientError CYXW_CLIENT_ESCROW at once for escrow of Confidential or higher data.
 */
export const createUploadSession = uploadSessionFactory(nodeWebSocket);
