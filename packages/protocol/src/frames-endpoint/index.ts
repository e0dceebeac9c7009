/**
 * `@cyxwiz/protocol/frames-endpoint`: the frames WebSocket's path, subprotocols, close codes and
 * close reasons, shared by the gateway, the client SDK and its fake gateway.
 */

export type { FramesCloseReason } from "./frames-endpoint.js";
export {
  BEARER_SUBPROTOCOL_PREFIX,
  bearerFromSubprotocols,
  CLOSE_CODES,
  FRAMES_CLOSE_REASONS,
  FRAMES_PATH_TEMPLATE,
  FRAMES_ROUTE,
  FRAMES_SUBPROTOCOL,
  framesClose,
  framesCloseReasonOf,
  framesPath,
  framesSubprotocols,
  MAX_CLOSE_REASON_LENGTH,
  transferIdOfFramesPath,
} from "./frames-endpoint.js";
