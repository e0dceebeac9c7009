import { create } from "@bufbuild/protobuf";
import { base64Decode, base64Encode } from "@bufbuild/protobuf/wire";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import { Code } from "@connectrpc/connect";
import {
  type ByteSource,
  type ChunkPacker,
  checkChunkSize,
  chunkToFrame,
  createChunkPacker,
  DEFAULT_CHUNK_SIZE,
  decideCodec,
  type PackedChunk,
  storedSizeBoundsOf,
} from "@cyxwiz/protocol/chunk";
import { loadCodec } from "@cyxwiz/protocol/compress";
import { type ChunkCipher, createChunkCipher, generateDatasetKey, wrapDatasetKey } from "@cyxwiz/protocol/crypto";
import { FRAME_OVERHEAD_BYTES, FrameFlag } from "@cyxwiz/protocol/frame";
import {
  AckStatus,
  CipherParametersSchema,
  DataClassification,
  type DatasetManifest,
  DatasetManifestSchema,
  DatasetMetadataSchema,
  type DatasetVersion,
  TransferState as GatewayTransferState,
  type GetGatewayInfoResponse,
  type TransferAck,
  type TransferStatus,
  type WrappedKey,
} from "@cyxwiz/protocol/gen";
import { MerkleTree } from "@cyxwiz/protocol/merkle";
import type { Primitives } from "@cyxwiz/protocol/primitives";
import { type CodecName, codecFromName } from "@cyxwiz/protocol/vocab";
import { ClientError, isClientError } from "./client-error.js";
import {
  closeError,
  type FrameSocket,
  type FrameSocketClose,
  framesUrl,
  isFinalClose,
  openFrameSocket,
  type WebSocketFactory,
} from "./frame-socket.js";
import type { GatewayClients } from "./gateway-clients.js";
import { isTransient, toClientError } from "./rpc-error.js";
import { sleep } from "./timers.js";
import { type ChunkRecord, parseTransferState, type TransferState, type TransferStateStore } from "./transfer-state.js";

/** Whether a failed CommitUpload says the transfer is already committed (ALREADY_EXISTS). */
function isAlreadyCommitted(e: unknown): boolean {
  const cause = (e as { cause?: unknown } | null)?.cause as { name?: unknown; code?: unknown } | undefined;
  return cause?.name === "ConnectError" && cause.code === Code.AlreadyExists;
}

/** Chunks prepared ahead of the one being sent (each holds about one chunk of memory). */
const READ_AHEAD = 3;

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

/** The transfer being uploaded: saved state plus what is rebuilt from it in memory. */
interface Live {
  state: Mutable<TransferState>;
  chunks: (ChunkRecord | null)[];
  packer: ChunkPacker;
  datasetKey: Uint8Array | undefined;
  cipher: ChunkCipher | undefined;
  /** Chunks the gateway holds durably (acknowledged, or absent from missing_chunks). */
  durable: Set<number>;
  resumed: boolean;
  /** The gateway reported the resumed transfer COMPLETED: an earlier session committed it. */
  completedOnGateway: boolean;
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/**
 * Creates the upload engine of docs/upload-protocol.md §1-§4: GetGatewayInfo → resume from the
 * saved state, or decide the codec, generate the DEK and cipher parameters and InitiateTransfer →
 * GetTransferStatus → send only the missing chunks over the frames WebSocket with at most
 * `window` unacknowledged (REQUIRES_ACK; RETRANSMIT on a resend) → after a dropped socket,
 * reconnect with backoff and ask GetTransferStatus again (an acknowledged chunk is never sent
 * again) → CommitUpload with the manifest built from the saved per-chunk records.
 *
 * @throws ClientError CYXW_CLIENT_ESCROW at once, before anything is sent, when escrow is asked
 *   for Confidential or higher data or for an unencrypted upload; TypeError/RangeError for bad
 *   options (chunk size, window, a store without a state key, a DEK that is not 32 bytes).
 * @example
 * const session = createUploadSession({ clients, createWebSocket, primitives, source, name: "mnist", encrypt: true, store, stateKey });
 * const { version } = await session.run();
 */
export function createUploadSession(options: UploadOptions): UploadSession {
  const classification = options.classification ?? DataClassification.PUBLIC;
  const encrypt = options.encrypt === true || options.datasetKey !== undefined;
  const escrow = options.escrow === true;
  if (escrow && classification >= DataClassification.CONFIDENTIAL) {
    throw new ClientError(
      "CYXW_CLIENT_ESCROW",
      `${DataClassification[classification]} data cannot be escrowed: its key never leaves the owner unwrapped (ARCHITECTURE §4); upload without escrow`,
    );
  }
  if (escrow && !encrypt)
    throw new ClientError("CYXW_CLIENT_ESCROW", "escrow needs an encrypted upload: there is no key to escrow");
  const chunkSize = checkChunkSize(options.chunkSize ?? DEFAULT_CHUNK_SIZE);
  if (options.window !== undefined && (!Number.isInteger(options.window) || options.window < 1)) {
    throw new RangeError(`window must be a positive integer, got ${options.window}`);
  }
  if (
    options.datasetKey !== undefined &&
    (!(options.datasetKey instanceof Uint8Array) || options.datasetKey.length !== 32)
  ) {
    throw new RangeError("datasetKey must be 32 bytes");
  }
  if (options.store !== undefined && (options.stateKey === undefined || options.stateKey === "")) {
    throw new TypeError("stateKey is required when a store is given");
  }
  if (typeof options.name !== "string" || options.name === "") throw new TypeError("name must be a non-empty string");
  const requestedCodec: CodecName = options.compression ?? "none";
  codecFromName(requestedCodec); // RangeError for an unknown name, before anything is sent
  const type = options.type ?? "opaque";
  const maxRetries = options.maxChunkRetries ?? DEFAULT_MAX_CHUNK_RETRIES;
  const reconnectAttempts = options.reconnect?.attempts ?? 8;
  const initialDelay = options.reconnect?.initialDelayMs ?? 250;
  const maxDelay = options.reconnect?.maxDelayMs ?? 10_000;
  const { clients, primitives, source, store } = options;
  const stateKey = options.stateKey ?? "";
  const emit = (e: UploadEvent) => options.onEvent?.(e);

  let running: Promise<UploadResult> | undefined;
  let paused = false;
  let cancelled: string | undefined;
  let committed = false;
  let transferId: string | undefined;
  let socket: FrameSocket | undefined;
  let framesSent = 0;
  // A condition variable: anything that may unblock the send loop calls notify().
  let waiters: Array<() => void> = [];
  const notify = () => {
    const w = waiters;
    waiters = [];
    for (const f of w) f();
  };
  const changed = () => new Promise<void>((resolve) => waiters.push(resolve));
  let cancelSignal: () => void = () => {};
  const cancelledPromise = new Promise<void>((resolve) => {
    cancelSignal = resolve;
  });

  const throwIfCancelled = () => {
    if (cancelled !== undefined)
      throw new ClientError(
        "CYXW_CLIENT_CANCELLED",
        `the upload was cancelled${cancelled === "" ? "" : `: ${cancelled}`}`,
      );
  };

  /** Calls the gateway, mapping failures to ClientErrors. */
  async function call<T>(what: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (e) {
      throw toClientError(e, `${what} at ${clients.baseUrl}`);
    }
  }

  // ---- state persistence: after every ack, coalesced so at most one save runs at a time ----
  let live: Live | undefined;
  let saving: Promise<void> | undefined;
  let dirty = false;
  const snapshot = (l: Live): TransferState => ({ ...l.state, chunks: l.chunks.slice() });
  const persist = () => {
    if (store === undefined || live === undefined) return;
    dirty = true;
    saving ??= (async () => {
      while (dirty && live !== undefined) {
        dirty = false;
        try {
          await store.save(stateKey, snapshot(live));
        } catch (e) {
          emit({ kind: "state-save-failed", message: (e as Error).message ?? String(e) });
        }
      }
      saving = undefined;
    })();
  };
  const forgetState = async () => {
    live = undefined;
    dirty = false;
    await saving;
    if (store !== undefined) await store.delete(stateKey);
  };

  // ---- progress ----
  const totalBytes = source.size;
  let sessionStart = 0;
  /** Plaintext bytes of the chunks whose frames this session sent and the gateway acknowledged. */
  let bytesSentThisRun = 0;
  /** Frames sent on the current socket and not yet answered. */
  let chunksInFlight = 0;
  const plainSizeOf = (l: Live, i: number) => l.packer.layout.plainSizeOf(i);
  let bytesDurable = 0;
  const reportProgress = (l: Live) => {
    if (options.onProgress === undefined) return;
    const seconds = (Date.now() - sessionStart) / 1000;
    const rate = seconds > 0 ? bytesSentThisRun / seconds : 0;
    options.onProgress({
      bytesAcked: bytesDurable,
      totalBytes,
      chunksAcked: l.durable.size,
      totalChunks: l.state.numChunks,
      bytesPerSecond: rate,
      etaSeconds: rate > 0 ? (totalBytes - bytesDurable) / rate : undefined,
    });
  };
  const markDurable = (l: Live, i: number, record: ChunkRecord | undefined) => {
    if (record !== undefined && l.chunks[i] === null) l.chunks[i] = record;
    if (!l.durable.has(i)) {
      l.durable.add(i);
      bytesDurable += plainSizeOf(l, i);
    }
  };

  // ---- §1: gateway info, then a saved transfer or a new one ----
  async function start(info: GetGatewayInfoResponse): Promise<Live> {
    if (store !== undefined) {
      const resumed = await resumeSaved(info);
      if (resumed !== undefined) return resumed;
    }
    return initiate(info);
  }

  /** The saved transfer, if there is one this upload can continue; discards anything else. */
  async function resumeSaved(info: GetGatewayInfoResponse): Promise<Live | undefined> {
    if (store === undefined) return undefined;
    const loaded = await store.load(stateKey);
    if (loaded === undefined) return undefined;
    const parsed = parseTransferState(loaded);
    const discard = async (reason: string, cancelOld?: string) => {
      emit({ kind: "state-discarded", reason });
      if (cancelOld !== undefined)
        await clients.dataTransfer
          .cancelTransfer({ transferId: cancelOld, reason: "superseded by a new upload" })
          .catch(() => undefined);
      await store.delete(stateKey);
      return undefined;
    };
    if (!parsed.ok) return discard(`the saved upload state is unusable (${parsed.reason})`);
    const s = parsed.state;
    const mismatch =
      s.name !== options.name
        ? "name"
        : s.type !== type
          ? "type"
          : s.classification !== classification
            ? "classification"
            : s.totalSize !== source.size
              ? "size"
              : s.chunkSize !== chunkSize
                ? "chunk size"
                : s.requestedCodec !== requestedCodec
                  ? "compression"
                  : s.encrypted !== encrypt
                    ? "encryption"
                    : s.escrow !== escrow
                      ? "escrow"
                      : options.datasetKey !== undefined && s.datasetKey !== base64Encode(options.datasetKey)
                        ? "dataset key"
                        : undefined;
    if (mismatch !== undefined)
      return discard(`the saved upload used another ${mismatch}; starting a new transfer`, s.transferId);
    let status: TransferStatus;
    try {
      status = await call("GetTransferStatus", () =>
        clients.dataTransfer.getTransferStatus({ transferId: s.transferId }),
      );
    } catch (e) {
      if (isClientError(e) && e.code === "CYXW_CLIENT_NOT_FOUND")
        return discard(`the gateway no longer knows transfer ${s.transferId}; starting a new one`);
      throw e;
    }
    if (status.state === GatewayTransferState.CANCELLED || status.state === GatewayTransferState.FAILED) {
      return discard(`transfer ${s.transferId} is ${GatewayTransferState[status.state]}; starting a new one`);
    }
    let datasetKey: Uint8Array | undefined;
    let cipher: ChunkCipher | undefined;
    if (s.encrypted) {
      datasetKey = base64Decode(s.datasetKey!);
      const c = s.cipher!;
      const made = await createChunkCipher(
        primitives,
        datasetKey,
        create(CipherParametersSchema, {
          algorithm: c.algorithm,
          salt: base64Decode(c.salt),
          noncePrefix: base64Decode(c.noncePrefix),
          keyCheck: base64Decode(c.keyCheck),
        }),
      );
      if (!made.ok)
        return discard(
          `the saved key does not open the saved cipher parameters (${made.error.code}); starting a new transfer`,
          s.transferId,
        );
      cipher = made.value;
    }
    const codec = s.codec === "none" ? undefined : await loadCodec(s.codec);
    const l: Live = {
      state: { ...s },
      chunks: s.chunks.slice(),
      packer: createChunkPacker(primitives, source, {
        chunkSize: s.chunkSize,
        ...(codec === undefined ? {} : { codec }),
        ...(cipher === undefined ? {} : { cipher }),
      }),
      datasetKey,
      cipher,
      durable: new Set(),
      resumed: true,
      completedOnGateway: status.state === GatewayTransferState.COMPLETED,
    };
    s.chunks.forEach((c, i) => {
      if (c !== null) markDurable(l, i, undefined);
    });
    transferId = s.transferId;
    checkEscrowKey(info);
    emit({ kind: "resumed", transferId: s.transferId, chunksDone: l.durable.size, totalChunks: s.numChunks });
    return l;
  }

  function checkEscrowKey(info: GetGatewayInfoResponse): void {
    if (escrow && info.escrowPublicKey.length !== 32) {
      throw new ClientError(
        "CYXW_CLIENT_ESCROW",
        `the gateway at ${clients.baseUrl} offers no escrow key; upload without escrow`,
      );
    }
  }

  async function initiate(info: GetGatewayInfoResponse): Promise<Live> {
    checkEscrowKey(info);
    const largestChunk = storedSizeBoundsOf(chunkSize, { encrypted: encrypt, compressed: false }).max;
    if (info.maxPayloadBytes > 0 && largestChunk > info.maxPayloadBytes) {
      throw new ClientError(
        "CYXW_CLIENT_REFUSED",
        `chunk size ${chunkSize} is too large for the gateway at ${clients.baseUrl}, which accepts frame payloads of at most ${info.maxPayloadBytes} bytes`,
      );
    }
    const codec = await decideCodec(source, chunkSize, requestedCodec);
    let datasetKey: Uint8Array | undefined;
    let cipher: ChunkCipher | undefined;
    if (encrypt) {
      datasetKey = options.datasetKey === undefined ? generateDatasetKey() : options.datasetKey.slice();
      const made = await createChunkCipher(primitives, datasetKey);
      if (!made.ok) throw new ClientError("CYXW_CLIENT_KEY", made.error.message);
      cipher = made.value;
    }
    const packer = createChunkPacker(primitives, source, {
      chunkSize,
      ...(codec === undefined ? {} : { codec }),
      ...(cipher === undefined ? {} : { cipher }),
    });
    const codecName = codec?.name ?? "none";
    throwIfCancelled();
    const response = await call("InitiateTransfer", () =>
      clients.dataTransfer.initiateTransfer({
        metadata: {
          name: options.name,
          type,
          totalSize: BigInt(source.size),
          numChunks: packer.numChunks,
          chunkSize,
          classification,
          // Empty: the root is known only after every chunk is packed; the gateway verifies it at commit (checkCommit).
          merkleRoot: new Uint8Array(0),
        },
        options: { compression: codecName, chunkSize },
        security: { encryptPayload: encrypt },
      }),
    );
    if (!response.accepted) {
      throw new ClientError(
        "CYXW_CLIENT_REFUSED",
        `InitiateTransfer at ${clients.baseUrl}: the gateway did not accept the transfer: ${response.errorMessage || "no reason given"}`,
      );
    }
    if (response.transferId === "")
      throw new ClientError("CYXW_CLIENT_PROTOCOL", "InitiateTransfer accepted the transfer but named no transfer id");
    transferId = response.transferId;
    const p = cipher?.parameters;
    const state: Mutable<TransferState> = {
      format: 1,
      transferId: response.transferId,
      name: options.name,
      type,
      classification,
      totalSize: source.size,
      chunkSize,
      numChunks: packer.numChunks,
      requestedCodec,
      codec: codecName,
      encrypted: encrypt,
      escrow,
      ...(datasetKey === undefined ? {} : { datasetKey: base64Encode(datasetKey) }),
      ...(p === undefined
        ? {}
        : {
            cipher: {
              algorithm: p.algorithm,
              salt: base64Encode(p.salt),
              noncePrefix: base64Encode(p.noncePrefix),
              keyCheck: base64Encode(p.keyCheck),
            },
          }),
      createdAt: new Date().toISOString(),
      chunks: [],
    };
    const l: Live = {
      state,
      chunks: new Array<ChunkRecord | null>(packer.numChunks).fill(null),
      packer,
      datasetKey,
      cipher,
      durable: new Set(),
      resumed: false,
      completedOnGateway: false,
    };
    if (store !== undefined) await store.save(stateKey, snapshot(l)); // before any frame: a crash from here on resumes
    emit({ kind: "initiated", transferId: response.transferId, codec: codecName, encrypted: encrypt });
    return l;
  }

  // ---- §2-§3: frames, acks, reconnects ----
  /** Asks which chunks are missing; checks that nothing acknowledged went missing. */
  async function refreshStatus(l: Live): Promise<number[]> {
    const status = await call("GetTransferStatus", () =>
      clients.dataTransfer.getTransferStatus({ transferId: l.state.transferId }),
    );
    if (status.state === GatewayTransferState.CANCELLED || status.state === GatewayTransferState.FAILED) {
      throw new ClientError(
        "CYXW_CLIENT_REFUSED",
        `transfer ${l.state.transferId} is ${GatewayTransferState[status.state]} on the gateway`,
      );
    }
    const missing = new Set<number>();
    for (const i of status.missingChunks) {
      if (!Number.isInteger(i) || i < 0 || i >= l.state.numChunks) {
        throw new ClientError(
          "CYXW_CLIENT_PROTOCOL",
          `GetTransferStatus lists chunk ${i} as missing; transfer ${l.state.transferId} has ${l.state.numChunks} chunks`,
        );
      }
      if (l.durable.has(i) && l.chunks[i] !== null) {
        throw new ClientError(
          "CYXW_CLIENT_PROTOCOL",
          `the gateway acknowledged chunk ${i} of transfer ${l.state.transferId} as durable but now reports it missing; ` +
            "an acknowledged chunk is never sent again (docs/upload-protocol.md §3)",
          { chunkIndex: i },
        );
      }
      missing.add(i);
    }
    for (let i = 0; i < l.state.numChunks; i++) if (!missing.has(i)) markDurable(l, i, undefined);
    return [...missing].sort((a, b) => a - b);
  }

  async function transfer(l: Live, info: GetGatewayInfoResponse): Promise<void> {
    const window = Math.min(info.window > 0 ? info.window : DEFAULT_WINDOW, options.window ?? Number.MAX_SAFE_INTEGER);
    const url = framesUrl(clients.baseUrl, info.framesPath, l.state.transferId);
    const retries = new Map<number, number>();
    const sentBefore = new Set<number>();
    let failures = 0;
    for (;;) {
      throwIfCancelled();
      let missing: number[];
      let why: string;
      try {
        missing = await refreshStatus(l);
        reportProgress(l);
        if (missing.length === 0) return;
        const s = await openFrameSocket({ createWebSocket: options.createWebSocket, url, token: clients.token });
        socket = s;
        const before = l.durable.size;
        const closed = await pump(l, s, missing, window, retries, sentBefore);
        if (closed === undefined) return; // every chunk acknowledged
        if (l.durable.size > before) failures = 0;
        emit({ kind: "disconnected", code: closed.code, reason: closed.reason });
        if (isFinalClose(closed))
          throw closeError(closed, `the gateway closed the frames socket of transfer ${l.state.transferId}`);
        why = `frames socket closed (code ${closed.code}${closed.reason === "" ? "" : `, ${closed.reason}`})`;
      } catch (e) {
        if (cancelled !== undefined) throwIfCancelled();
        if (!isTransient(e)) throw e;
        why = (e as Error).message;
      } finally {
        socket = undefined;
      }
      failures++;
      if (failures > reconnectAttempts) {
        throw new ClientError(
          "CYXW_CLIENT_UNREACHABLE",
          `gave up on transfer ${l.state.transferId} after ${reconnectAttempts} reconnects: ${why}`,
        );
      }
      const delayMs = Math.round(Math.min(maxDelay, initialDelay * 2 ** (failures - 1)) * (0.5 + Math.random() / 2));
      emit({ kind: "reconnecting", attempt: failures, delayMs, why });
      await sleep(delayMs, cancelledPromise);
    }
  }

  /**
   * Sends `queue` over one socket, at most `window` unacknowledged, until every chunk is durable
   * (returns undefined) or the socket closes (returns how).
   */
  async function pump(
    l: Live,
    s: FrameSocket,
    initialQueue: number[],
    window: number,
    retries: Map<number, number>,
    sentBefore: Set<number>,
  ): Promise<FrameSocketClose | undefined> {
    const queue = initialQueue.slice();
    const inFlight = new Map<number, ChunkRecord>();
    let closed: FrameSocketClose | undefined;
    let failure: unknown;
    void s.closed.then((c) => {
      closed = c;
      notify();
    });
    const insertSorted = (i: number) => {
      let at = 0;
      while (at < queue.length && queue[at]! < i) at++;
      if (queue[at] !== i) queue.splice(at, 0, i);
    };
    const onAck = (ack: TransferAck) => {
      const i = ack.chunkIndex;
      const record = inFlight.get(i);
      if (record === undefined) return; // not ours to settle (a late answer for an earlier socket's frame)
      inFlight.delete(i);
      chunksInFlight = inFlight.size;
      switch (ack.status) {
        case AckStatus.ACK_OK:
        case AckStatus.ACK_DUPLICATE: // already durable: never send it again
          if (!l.durable.has(i)) bytesSentThisRun += plainSizeOf(l, i);
          markDurable(l, i, record);
          persist();
          reportProgress(l);
          return;
        case AckStatus.ACK_FCS_ERROR:
        case AckStatus.ACK_CHECKSUM_MISMATCH:
        case AckStatus.ACK_DECRYPT_ERROR:
        case AckStatus.ACK_OUT_OF_ORDER: {
          const n = (retries.get(i) ?? 0) + 1;
          retries.set(i, n);
          emit({
            kind: "chunk-refused",
            index: i,
            status: AckStatus[ack.status] ?? String(ack.status),
            message: ack.errorMessage,
          });
          if (n > maxRetries) {
            failure = new ClientError(
              "CYXW_CLIENT_REFUSED",
              `the gateway refused chunk ${i} ${n} times (${AckStatus[ack.status]}: ${ack.errorMessage || "no message"})`,
              { chunkIndex: i },
            );
            return;
          }
          insertSorted(i); // out of order: it goes after the chunks before it, which are earlier in the queue
          return;
        }
        default:
          failure = new ClientError(
            "CYXW_CLIENT_PROTOCOL",
            `the gateway answered chunk ${i} with unknown ack status ${String(ack.status)}`,
            { chunkIndex: i },
          );
      }
    };
    const reader = (async () => {
      for await (const message of s) {
        if (message.kind.case === "ack") onAck(message.kind.value);
        // message.kind.case === "status": every chunk is durable; the acks before it already said so.
        notify();
      }
    })();

    // Chunks being read, sealed and hashed ahead of the send loop. Reading a File slice is I/O
    // (the browser's disk thread), so several reads in flight overlap the crypto of the chunk
    // before them; the crypto itself runs in order on this thread.
    const ahead = new Map<number, Promise<PackedChunk>>();
    // One buffer for every frame when the socket copies what it sends: no fresh 4 MiB per chunk.
    let frameBuffer: Uint8Array | undefined;
    const packed = (index: number) => {
      const p = ahead.get(index);
      if (p !== undefined) {
        ahead.delete(index);
        return p;
      }
      return l.packer.pack(index);
    };
    try {
      for (;;) {
        if (cancelled !== undefined) {
          s.close(1000, "cancelled");
          throwIfCancelled();
        }
        if (failure !== undefined) {
          s.close(1000, "");
          throw failure;
        }
        if (l.durable.size === l.state.numChunks) {
          s.close(1000, "");
          return undefined;
        }
        if (closed !== undefined) return closed;
        if (!paused && inFlight.size < window && queue.length > 0) {
          const index = queue.shift()!;
          if (l.durable.has(index)) continue;
          const chunk = await packed(index);
          for (const next of queue) {
            if (ahead.size >= READ_AHEAD) break;
            if (ahead.has(next) || l.durable.has(next)) continue;
            // Read, compress, seal and hash the next chunks while this one travels.
            const packing = l.packer.pack(next);
            packing.catch(() => undefined);
            ahead.set(next, packing);
          }
          let into: Uint8Array | undefined;
          if (s.copiesOnSend) {
            const frameSize = chunk.storedSize + FRAME_OVERHEAD_BYTES;
            if (frameBuffer === undefined || frameBuffer.length < frameSize) frameBuffer = new Uint8Array(frameSize);
            into = frameBuffer;
          }
          const frame = await chunkToFrame(
            primitives,
            chunk,
            FrameFlag.REQUIRES_ACK | (sentBefore.has(index) ? FrameFlag.RETRANSMIT : 0),
            into,
          );
          // Paused (or stopped) while this chunk was being read, sealed or framed: it goes back to
          // the queue, so that once paused nothing more is sent and chunksInFlight tells the truth.
          if (paused || closed !== undefined || cancelled !== undefined || failure !== undefined) {
            insertSorted(index);
            continue;
          }
          inFlight.set(index, {
            storedSize: chunk.storedSize,
            digest: base64Encode(chunk.digest),
            compressed: chunk.compressed,
          });
          sentBefore.add(index);
          chunksInFlight = inFlight.size;
          if (!s.send(frame)) {
            inFlight.delete(index);
            chunksInFlight = inFlight.size;
            insertSorted(index);
            await s.closed;
            continue;
          }
          framesSent++;
          continue;
        }
        await changed();
      }
    } finally {
      chunksInFlight = 0; // a closed socket's frames are settled by GetTransferStatus, not by acks
      s.close(1000, ""); // no-op when already closed; after a local failure (a file read…) the socket goes too
      // Let the reader see the close; a gateway that never completes the close handshake does not hold us up.
      await Promise.race([reader, s.closed, sleep(2000)]);
    }
  }

  // ---- §4: commit ----
  async function manifestOf(l: Live): Promise<DatasetManifest> {
    // Chunks the gateway holds but whose acknowledgement this client never saw (a socket dropped
    // between store and ack, or state saved before the ack) are packed again locally: the bytes
    // are identical, nothing is sent.
    for (let i = 0; i < l.state.numChunks; i++) {
      if (l.chunks[i] === null) {
        const c = await l.packer.pack(i);
        l.chunks[i] = { storedSize: c.storedSize, digest: base64Encode(c.digest), compressed: c.compressed };
      }
    }
    const records = l.chunks as ChunkRecord[];
    const digests = records.map((r) => base64Decode(r.digest));
    const plainSizes = records.map((_, i) => plainSizeOf(l, i));
    return create(DatasetManifestSchema, {
      formatVersion: 1,
      metadata: create(DatasetMetadataSchema, {
        name: l.state.name,
        type: l.state.type,
        totalSize: BigInt(l.state.totalSize),
        merkleRoot: MerkleTree.fromDigests(digests).root,
        numChunks: l.state.numChunks,
        chunkSize: l.state.chunkSize,
        classification: l.state.classification,
      }),
      codec: codecFromName(l.state.codec),
      ...(l.cipher === undefined ? {} : { cipher: l.cipher.parameters }),
      plainSizes,
      storedSizes: records.map((r) => r.storedSize),
      chunkDigests: digests,
      compressed: records.map((r) => r.compressed),
      createdAt: timestampFromDate(new Date(l.state.createdAt)),
    });
  }

  async function commit(
    l: Live,
    info: GetGatewayInfoResponse,
  ): Promise<{ version: DatasetVersion; manifest: DatasetManifest; keyEscrowed: boolean }> {
    const manifest = await manifestOf(l);
    let escrowedKey: WrappedKey | undefined;
    if (l.state.escrow && l.datasetKey !== undefined)
      escrowedKey = await wrapDatasetKey(primitives, l.datasetKey, info.escrowPublicKey);
    let failures = 0;
    for (;;) {
      throwIfCancelled();
      try {
        const response = await call("CommitUpload", () =>
          clients.datasets.commitUpload({
            transferId: l.state.transferId,
            manifest,
            ...(escrowedKey === undefined ? {} : { escrowedKey }),
          }),
        );
        if (response.version === undefined)
          throw new ClientError("CYXW_CLIENT_PROTOCOL", "CommitUpload answered without the dataset version");
        return { version: response.version, manifest, keyEscrowed: escrowedKey !== undefined };
      } catch (e) {
        if (failures > 0 && isAlreadyCommitted(e)) {
          // An earlier attempt committed, but its answer was lost on the way back.
          const version = await findCommittedVersion(l);
          if (version !== undefined) return { version, manifest, keyEscrowed: version.keyEscrowed };
        }
        if (!isTransient(e) || ++failures > reconnectAttempts) throw e;
        const delayMs = Math.round(Math.min(maxDelay, initialDelay * 2 ** (failures - 1)) * (0.5 + Math.random() / 2));
        emit({ kind: "reconnecting", attempt: failures, delayMs, why: (e as Error).message });
        await sleep(delayMs, cancelledPromise);
      }
    }
  }

  /** The version that transfer `l` became, when it was committed. */
  async function findCommittedVersion(l: Live): Promise<DatasetVersion | undefined> {
    const versions = await call("ListVersions", () => clients.datasets.listVersions({ name: l.state.name }));
    return versions.versions.find((v) => v.transferId === l.state.transferId);
  }

  async function runUpload(): Promise<UploadResult> {
    throwIfCancelled();
    const info = await call("GetGatewayInfo", () => clients.datasets.getGatewayInfo({}));
    throwIfCancelled();
    const l = await start(info);
    live = l;
    sessionStart = Date.now();
    try {
      if (l.completedOnGateway) {
        // An earlier session committed this transfer, then stopped before forgetting its state.
        const version = await findCommittedVersion(l);
        if (version === undefined) {
          throw new ClientError(
            "CYXW_CLIENT_PROTOCOL",
            `transfer ${l.state.transferId} is COMPLETED on the gateway but no version of ${l.state.name} names it`,
          );
        }
        committed = true;
        await forgetState();
        emit({ kind: "committed", ref: version.ref });
        return {
          version,
          manifest: await manifestOf(l),
          transferId: l.state.transferId,
          resumed: true,
          keyEscrowed: version.keyEscrowed,
          framesSent,
        };
      }
      await transfer(l, info);
      await saving;
      const done = await commit(l, info);
      committed = true;
      await forgetState();
      emit({ kind: "committed", ref: done.version.ref });
      return { ...done, transferId: l.state.transferId, resumed: l.resumed, framesSent };
    } finally {
      l.datasetKey?.fill(0); // always this session's own copy: zero it (STYLE §11)
      await saving;
    }
  }

  return {
    run() {
      running ??= runUpload();
      return running;
    },
    pause() {
      paused = true;
    },
    resume() {
      paused = false;
      notify();
    },
    async cancel(reason = "") {
      if (committed || cancelled !== undefined) return;
      cancelled = reason;
      cancelSignal();
      notify();
      socket?.close(1000, "cancelled");
      await running?.catch(() => undefined);
      if (committed) return;
      if (transferId !== undefined) {
        await call("CancelTransfer", () =>
          clients.dataTransfer.cancelTransfer({ transferId: transferId!, reason: reason || "cancelled by the owner" }),
        );
      }
      await forgetState();
    },
    get paused() {
      return paused;
    },
    get chunksInFlight() {
      return chunksInFlight;
    },
    get transferId() {
      return transferId;
    },
  };
}
