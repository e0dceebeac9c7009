/**
 * `@cyxwiz/client`, browser entry (the `default` export condition): Connect over `fetch`
 * (connect-web) and the page's or worker's global `WebSocket`. Upload state is the app's to keep
 * (`TransferStateStore`, IndexedDB in apps/web).
 */
import { createConnectTransport } from "@connectrpc/connect-web";
import type { WebSocketFactory, WebSocketLike } from "./frame-socket.js";
import { createGatewayClients, type GatewayClients, type GatewayConnection } from "./gateway-clients.js";
import { uploadSessionFactory } from "./runtime-entry.js";

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
export { isTransient, toClientError } from "./rpc-error.js";
export type { RuntimeUploadOptions } from "./runtime-entry.js";
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

/** The global `WebSocket` of a page or worker. @throws Error when the runtime has none. */
export const browserWebSocket: WebSocketFactory = (url, protocols) => {
  const WebSocketClass = (
    globalThis as unknown as { WebSocket?: new (url: string, protocols: string[]) => WebSocketLike }
  ).WebSocket;
  if (WebSocketClass === undefined) throw new Error("this runtime has no global WebSocket");
  return new WebSocketClass(url, protocols);
};

/**
 * Clients for the gateway's services over connect-web, every call carrying the token.
 *
 * @throws TypeError for a base URL that is not http(s) or a token that is not a JWT.
 */
export function connectGateway(connection: GatewayConnection): GatewayClients {
  return createGatewayClients(connection, ({ baseUrl, interceptors }) =>
    createConnectTransport({ baseUrl, interceptors }),
  );
}

/**
 * A resumable upload (docs/upload-protocol.md) over the global WebSocket; see
 * `UploadOptions` in upload/upload-types.ts for every option.
 *
 * @throws ClientError CYXW_CLIENT_ESCROW at once for escrow of Confidential or higher data.
 */
export const createUploadSession = uploadSessionFactory(browserWebSocket);
