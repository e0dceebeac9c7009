import type { ByteSource, ChunkLayout } from "@cyxwiz/protocol/chunk";
import type { Primitives } from "@cyxwiz/protocol/primitives";
import type { FrameSocket, WebSocketFactory } from "../frame-socket.js";
import type { GatewayClients } from "../gateway-clients.js";
import type { TransferStateStore } from "../transfer-state.js";
import type { ProgressMeter } from "./progress-meter.js";
import type { SessionControl } from "./session-control.js";
import type { StateSaver } from "./state-saver.js";
import type { UploadSettings } from "./upload-settings.js";
import type { UploadEvent } from "./upload-types.js";

/** What the session shows while it runs; the steps write it, the session's getters read it. */
export interface SessionStatus {
  /** The gateway's transfer id, once initiated or resumed. */
  transferId: string | undefined;
  /** The frames socket open now (cancel closes it). */
  socket: FrameSocket | undefined;
  /** Frames sent, resends included. */
  framesSent: number;
  /** Frames sent on the current socket and not yet answered. */
  chunksInFlight: number;
}

/** Everything the steps of one upload share (upload-session.ts builds it once per session). */
export interface UploadContext {
  readonly settings: UploadSettings;
  readonly clients: GatewayClients;
  readonly createWebSocket: WebSocketFactory;
  readonly primitives: Primitives;
  readonly source: ByteSource;
  /** The source's chunks: every chunk's offset and plain size comes from here (chunk-layout.ts). */
  readonly layout: ChunkLayout;
  readonly store: TransferStateStore | undefined;
  readonly control: SessionControl;
  readonly saver: StateSaver;
  readonly progress: ProgressMeter;
  readonly status: SessionStatus;
  readonly emit: (event: UploadEvent) => void;
}
