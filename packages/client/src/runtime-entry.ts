import type { WebSocketFactory } from "./frame-socket.js";
import { createUploadSession as createUploadSessionWith } from "./upload/upload-session.js";
import type { UploadOptions, UploadSession } from "./upload/upload-types.js";

/** Upload options as the entry points take them: the runtime's WebSocket unless another is given. */
export type RuntimeUploadOptions = Omit<UploadOptions, "createWebSocket"> & {
  readonly createWebSocket?: WebSocketFactory;
};

/** Binds the core upload engine to a runtime's WebSocket (used by index.ts and index.node.ts). */
export function uploadSessionFactory(
  defaultWebSocket: WebSocketFactory,
): (options: RuntimeUploadOptions) => UploadSession {
  return (options) =>
    createUploadSessionWith({ ...options, createWebSocket: options.createWebSocket ?? defaultWebSocket });
}
