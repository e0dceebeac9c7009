/**
 * What the upload benchmark's driver (upload-browser.ts, Node) asks the page and its Worker to do,
 * and what they answer. The page fetches one {@link BenchCommand} at a time from the driver's
 * `/cmd`, hands it to its dedicated Worker, and posts the Worker's {@link BenchReply} to
 * `/result`. Runtime-neutral: imported by the Node driver and bundled into the browser side.
 */

/** Writes `bytes` random bytes into the Origin Private File System file `file`. */
export interface PrepareCommand {
  readonly op: "prepare";
  readonly file: string;
  readonly bytes: number;
}

/** Removes an OPFS file. */
export interface RemoveCommand {
  readonly op: "remove";
  readonly file: string;
}

/** The first `bytes` bytes of an OPFS file, as a disk-backed Blob (`(await handle.getFile()).slice(0, bytes)`). */
interface UploadOf {
  readonly file: string;
  readonly bytes: number;
  readonly chunkSize: number;
}

/**
 * `@cyxwiz/client`'s `createUploadSession` to the gateway: AES-256-GCM, Public, no compression,
 * verification on the gateway (FCS, SHA-256, sequence) as always. RPCs go to the page's origin
 * (the driver forwards them to the gateway); the frames WebSocket goes straight to `framesOrigin`.
 */
export interface CyxwizCommand extends UploadOf {
  readonly op: "cyxwiz";
  readonly token: string;
  /** ws://127.0.0.1:PORT of the gateway itself. */
  readonly framesOrigin: string;
  readonly name: string;
}

/** tus-js-client to the driver's @tus/server at `endpoint`, `chunkSize` bytes per PATCH. */
export interface TusCommand extends UploadOf {
  readonly op: "tus";
  readonly endpoint: string;
}

/** One `fetch(url, { method: "PUT", body: blob })` into the driver's discarding sink. */
export interface PutCommand extends UploadOf {
  readonly op: "put";
  readonly url: string;
}

/**
 * The client half alone: the same packer and framing the upload session uses (read → AES-GCM →
 * SHA-256 → CRC-32 → one frame buffer), one chunk packed ahead, nothing sent.
 */
export interface PackCommand extends UploadOf {
  readonly op: "pack";
  /** Chunks packed ahead of the one being framed: 1 is what the upload session does today. */
  readonly ahead: number;
}

/** Reads the File in `chunkSize` pieces with `slice().arrayBuffer()`, `concurrency` reads at a time; nothing else. */
export interface ReadCommand extends UploadOf {
  readonly op: "read";
  readonly concurrency: number;
}

export type BenchCommand =
  | PrepareCommand
  | RemoveCommand
  | CyxwizCommand
  | TusCommand
  | PutCommand
  | PackCommand
  | ReadCommand;

/** Sum, count and percentiles (ms) of one stage's per-chunk durations. */
export interface StageTimes {
  readonly count: number;
  readonly totalMs: number;
  readonly medianMs: number;
  readonly p90Ms: number;
}

/** Where an upload's time went in the Worker, from performance.now() around each stage of each chunk. */
export interface UploadBreakdown {
  /** Per stage: blob slice().arrayBuffer(), crypto.subtle encrypt, crypto.subtle SHA-256, hash-wasm CRC-32 over the frame, copying into one frame buffer, WebSocket.send. */
  readonly stages: Record<"read" | "encrypt" | "sha256" | "crc32" | "frameCopy" | "send", StageTimes>;
  /** read start → frame handed to WebSocket.send, per chunk. */
  readonly packToSend: StageTimes;
  /** WebSocket.send returned → the gateway's ack arrived, per chunk. */
  readonly sendToAck: StageTimes;
  /**
   * For each frame sent once the window was full: time from the ack that freed its slot to its
   * send (framing, CRC-32 and the copy, happens after the slot frees, so ~ crc32 + frameCopy when
   * the chunk was already packed).
   */
  readonly slotToSend: StageTimes;
  /**
   * Frames (of those sent once the window was full) whose chunk was packed before their slot freed:
   * the sender waited on the gateway's acks. The rest waited on their own packing.
   */
  readonly sendsGatedByAck: number;
  readonly sendsAfterWindowFull: number;
  /** RPCs before the first frame (GetGatewayInfo, InitiateTransfer, GetTransferStatus, socket open). */
  readonly setupMs: number;
  /** First frame sent → last ack. */
  readonly streamMs: number;
  /** Last ack → CommitUpload answered. */
  readonly commitMs: number;
  /** Largest WebSocket.bufferedAmount seen right after a send. */
  readonly maxBufferedBytes: number;
  readonly window: number;
}

export interface UploadRun {
  readonly op: "cyxwiz" | "tus" | "put" | "pack" | "read" | "node-cyxwiz";
  readonly bytes: number;
  readonly chunkSize: number;
  /** From the call that starts the upload to its end (commit answered, tus onSuccess, PUT response). */
  readonly ms: number;
  /** File bytes per second, MB = 10^6 bytes. */
  readonly mbPerSecond: number;
  readonly detail: Record<string, unknown>;
  readonly breakdown?: UploadBreakdown;
}

export interface PrepareRun {
  readonly op: "prepare";
  readonly bytes: number;
  readonly ms: number;
}

export type BenchReply =
  | { readonly id: number; readonly ok: true; readonly value: UploadRun | PrepareRun | { readonly op: "remove" } }
  | { readonly id: number; readonly ok: false; readonly error: string };

/** A command as it travels: with the id its reply carries. */
export type NumberedCommand = BenchCommand & { readonly id: number };
