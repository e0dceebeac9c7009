import type { ByteSource } from "@cyxwiz/protocol/chunk";
import type { DataClassification, DatasetManifest, DatasetVersion, SampleLayout } from "@cyxwiz/protocol/gen";
import type { Primitives } from "@cyxwiz/protocol/primitives";
import type { CodecName } from "@cyxwiz/protocol/vocab";
import type { WebSocketFactory } from "../frame-socket.js";
import type { GatewayClients } from "../gateway-clients.js";
import type { TransferStateStore } from "../transfer-state.js";

// The public surface of an upload (re-exported by index.ts and index.node.ts): its options, what
// it reports while it runs, and what it gives back.

/** Unacknowledged frames when the gateway's GetGatewayInfo names no window. */
export const DEFAULT_WINDOW = 4;
/** Times one chunk may be refused (FCS, checksum, decrypt, out of order) before the upload fails. */
export const DEFAULT_MAX_CHUNK_RETRIES = 5;

/** Reconnection after a dropped frames socket (docs/upload-protocol.md §3). */
export interface ReconnectOptions {
  /** Consecutive failed reconnects before giving up (default 8). A connection that gets a chunk acknowledged resets the count. */
  readonly attempts?: number;
  /** First backoff delay (default 250 ms); doubled each time, with jitter. */
  readonly initialDelayMs?: number;
  /** Largest backoff delay (default 10 s). */
  readonly maxDelayMs?: number;
}

/** Everything one upload needs; only `clients`, `createWebSocket`, `primitives`, `source` and `name` are required. */
export interface UploadOptions {
  readonly clients: GatewayClients;
  /** The runtime's WebSocket (the entry point supplies it). */
  readonly createWebSocket: WebSocketFactory;
  readonly primitives: Primitives;
  /** The bytes to upload; read one chunk at a time, any chunk again on resume. */
  readonly source: ByteSource;
  /** The dataset's name; the gateway commits it as name@vN. */
  readonly name: string;
  /** The seed's DatasetMetadata.type (e.g. "opaque", "csv"); default "opaque". */
  readonly type?: string;
  /** Default PUBLIC. The gateway refuses unencrypted data from CONFIDENTIAL up (seed §4.3). */
  readonly classification?: DataClassification;
  /** Plaintext bytes per chunk (default 4 MiB). */
  readonly chunkSize?: number;
  /**
   * A dataset of samples (`prepareSamples` of @cyxwiz/datasets/pack, docs/dataset-formats.md):
   * each chunk's plain size, cut at sample boundaries (each at most `chunkSize`), and the
   * manifest's sample layout. The source is then the packed chunks one after another. Absent: an
   * opaque file in fixed chunks of `chunkSize`.
   */
  readonly samples?: { readonly plainSizes: readonly number[]; readonly layout: SampleLayout };
  /** Compression to try on the first chunk (default "none"); dropped if it shrinks less than 1.1x. */
  readonly compression?: CodecName;
  /** Encrypt every chunk under a dataset key (DEK). */
  readonly encrypt?: boolean;
  /** The DEK to use (32 bytes); a fresh one is generated when absent. Copied, never zeroed. */
  readonly datasetKey?: Uint8Array;
  /**
   * Escrow the DEK to the gateway at commit (wrapped to its X25519 key), so it can re-dispatch
   * shards alone. Public and Internal data only (ARCHITECTURE §4).
   */
  readonly escrow?: boolean;
  /** Where to keep resume state; without it an interrupted upload starts over. */
  readonly store?: TransferStateStore;
  /** The key of this upload in `store` (the app's choice: file identity, gateway, name). Required with `store`. */
  readonly stateKey?: string;
  /** At most this many unacknowledged frames, below the gateway's window (default: the gateway's). */
  readonly window?: number;
  readonly maxChunkRetries?: number;
  readonly reconnect?: ReconnectOptions;
  readonly onProgress?: (progress: UploadProgress) => void;
  readonly onEvent?: (event: UploadEvent) => void;
}

/** Where an upload stands, after every acknowledgement. */
export interface UploadProgress {
  /** Plaintext bytes of the chunks the gateway holds durably. */
  readonly bytesAcked: number;
  readonly totalBytes: number;
  readonly chunksAcked: number;
  readonly totalChunks: number;
  /**
   * Plaintext bytes per second of the frames this session sent and had acknowledged. Chunks that
   * were already on the gateway (saved as done, or found there by GetTransferStatus after a
   * reload) are not counted: they did not travel in this run.
   */
  readonly bytesPerSecond: number;
  /** Seconds left at that rate; undefined until there is a rate. */
  readonly etaSeconds: number | undefined;
}

/** Things worth telling a person about while an upload runs. */
export type UploadEvent =
  | { readonly kind: "initiated"; readonly transferId: string; readonly codec: CodecName; readonly encrypted: boolean }
  | { readonly kind: "resumed"; readonly transferId: string; readonly chunksDone: number; readonly totalChunks: number }
  | { readonly kind: "state-discarded"; readonly reason: string }
  | { readonly kind: "state-save-failed"; readonly message: string }
  | { readonly kind: "disconnected"; readonly code: number; readonly reason: string }
  | { readonly kind: "reconnecting"; readonly attempt: number; readonly delayMs: number; readonly why: string }
  | { readonly kind: "chunk-refused"; readonly index: number; readonly status: string; readonly message: string }
  | { readonly kind: "committed"; readonly ref: string };

/** What a finished upload gives back. */
export interface UploadResult {
  /** The committed version (name@vN). */
  readonly version: DatasetVersion;
  readonly manifest: DatasetManifest;
  readonly transferId: string;
  /** Whether this session continued an upload saved by an earlier one. */
  readonly resumed: boolean;
  readonly keyEscrowed: boolean;
  /** Frames this session sent (resends included), for logs. */
  readonly framesSent: number;
}

/** One upload, run once; pausable and cancellable while it runs. */
export interface UploadSession {
  /**
   * Runs the upload to its commit (docs/upload-protocol.md §1-§4). Calling it again returns the
   * same promise.
   *
   * @throws ClientError: CYXW_CLIENT_AUTH, CYXW_CLIENT_UNREACHABLE (after the reconnects),
   *   CYXW_CLIENT_REFUSED (the gateway refused the transfer, a chunk too often, or the manifest),
   *   CYXW_CLIENT_PROTOCOL, CYXW_CLIENT_ESCROW, CYXW_CLIENT_KEY, CYXW_CLIENT_CANCELLED.
   */
  run(): Promise<UploadResult>;
  /** Stops sending new frames; frames in flight are still acknowledged. */
  pause(): void;
  /** Sends again after {@link pause}. */
  resume(): void;
  /**
   * Stops the upload, tells the gateway (CancelTransfer) and forgets the saved state; `run()`
   * then rejects with CYXW_CLIENT_CANCELLED. Does nothing once the upload is committed.
   */
  cancel(reason?: string): Promise<void>;
  readonly paused: boolean;
  /**
   * Frames sent and not yet acknowledged. After {@link pause} these still arrive (and count as
   * progress); a UI can say "pausing" until this is 0.
   */
  readonly chunksInFlight: number;
  /** The gateway's transfer id, once initiated or resumed. */
  readonly transferId: string | undefined;
}
