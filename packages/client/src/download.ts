import { type CallOptions, Code } from "@connectrpc/connect";
import { createChunkReceiver } from "@cyxwiz/protocol/chunk";
import {
  AckStatus,
  type DataChunk,
  type DatasetManifest,
  type DatasetVersion,
  type GetDatasetResponse,
} from "@cyxwiz/protocol/gen";
import type { Primitives } from "@cyxwiz/protocol/primitives";
import { ClientError } from "./client-error.js";
import type { GatewayClients } from "./gateway-clients.js";
import { isTransient, toClientError } from "./rpc-error.js";
import { sleep } from "./timers.js";
import { openVersionCipher } from "./version-cipher.js";

/** Chunk requests in flight by default while earlier chunks are verified and written. */
export const DEFAULT_DOWNLOAD_IN_FLIGHT = 4;

/** Where a download stands, after every chunk written. */
export interface DownloadProgress {
  readonly bytesDone: number;
  readonly totalBytes: number;
  readonly chunksDone: number;
  readonly totalChunks: number;
  readonly bytesPerSecond: number;
  readonly etaSeconds: number | undefined;
}

/** What {@link downloadDataset} needs. */
export interface DownloadOptions {
  readonly clients: GatewayClients;
  readonly primitives: Primitives;
  /** "name" for the newest version, or "name@vN". */
  readonly ref: string;
  /** The dataset key (DEK), required for an encrypted dataset and refused for a plain one. */
  readonly datasetKey?: Uint8Array;
  /**
   * Receives each chunk's verified plaintext, in order, once. The download waits for it, so a
   * slow sink slows the download instead of filling memory.
   */
  readonly sink: (plaintext: Uint8Array, index: number) => Promise<void> | void;
  /** RequestChunk calls in flight (default 4, 1..64). */
  readonly inFlight?: number;
  readonly onProgress?: (progress: DownloadProgress) => void;
  /** Stops the download: pending calls are aborted and it rejects with CYXW_CLIENT_CANCELLED. */
  readonly signal?: DownloadSignal;
}

/**
 * An `AbortController`'s signal, named through Connect's call options because the core compiles
 * without DOM or Node types (STYLE §2).
 */
export type DownloadSignal = NonNullable<CallOptions["signal"]>;

/** What a finished download gives back. */
export interface DownloadResult {
  readonly version: DatasetVersion;
  readonly manifest: DatasetManifest;
  /** Plaintext bytes handed to the sink. */
  readonly bytes: number;
}

/** Attempts per chunk: a damaged answer (FCS or checksum) or a dropped call is asked for again once more. */
const ATTEMPTS = 3;

/**
 * Downloads a dataset version and verifies every byte (docs/upload-protocol.md §5):
 * GetDataset(ref) → the version and its manifest; RequestChunk for each chunk in order, a few in
 * flight; each chunk goes through the protocol's chunk receiver in full mode (FCS, SHA-256,
 * decryption with the DEK, decompression to the declared size, Merkle proof against the
 * manifest's root), and only then is its plaintext handed to `sink`.
 *
 * @throws ClientError: CYXW_CLIENT_NOT_FOUND (no such dataset), CYXW_CLIENT_KEY (key missing,
 *   wrong, or given for plain data), CYXW_CLIENT_INTEGRITY naming the chunk that failed
 *   verification (its `chunkIndex` is set), CYXW_CLIENT_AUTH, CYXW_CLIENT_UNREACHABLE,
 *   CYXW_CLIENT_PROTOCOL, CYXW_CLIENT_CANCELLED once `signal` aborts; whatever `sink` throws,
 *   unchanged.
 * @example
 * await downloadDataset({ clients, primitives, ref: "mnist@v2", datasetKey, sink: (bytes) => file.write(bytes) });
 */
export async function downloadDataset(options: DownloadOptions): Promise<DownloadResult> {
  const { clients, primitives, ref } = options;
  const inFlight = options.inFlight ?? DEFAULT_DOWNLOAD_IN_FLIGHT;
  if (!Number.isInteger(inFlight) || inFlight < 1 || inFlight > 64)
    throw new RangeError(`inFlight must be an integer from 1 to 64, got ${inFlight}`);
  const where = `at ${clients.baseUrl}`;
  const { signal } = options;
  const checkCancelled = () => {
    if (signal?.aborted === true)
      throw new ClientError("CYXW_CLIENT_CANCELLED", `downloading ${ref} was cancelled`, { cause: signal.reason });
  };
  const callOptions = signal === undefined ? {} : { signal };
  checkCancelled();

  let got: GetDatasetResponse;
  try {
    got = await clients.datasets.getDataset({ ref }, callOptions);
  } catch (e) {
    checkCancelled();
    throw toClientError(e, `GetDataset ${JSON.stringify(ref)} ${where}`);
  }
  const { version, manifest } = got;
  if (version === undefined || manifest === undefined)
    throw new ClientError(
      "CYXW_CLIENT_PROTOCOL",
      `GetDataset ${JSON.stringify(ref)} answered without the version or its manifest`,
    );
  const meta = manifest.metadata;
  const cipher = await openVersionCipher(primitives, version, manifest, options.datasetKey);

  let bytes = 0;
  let chunksDone = 0;
  const started = Date.now();
  const totalBytes = Number(meta?.totalSize ?? 0n);
  const made = await createChunkReceiver({
    primitives,
    manifest,
    transferId: version.transferId,
    ...(cipher === undefined ? {} : { cipher }),
    async store(chunk) {
      if (chunk.plaintext === undefined)
        throw new ClientError(
          "CYXW_CLIENT_INTEGRITY",
          `chunk ${chunk.index} of ${version.ref} was verified but not opened`,
          { chunkIndex: chunk.index },
        );
      await options.sink(chunk.plaintext, chunk.index);
      bytes += chunk.plaintext.length;
      chunksDone++;
      const seconds = (Date.now() - started) / 1000;
      const rate = seconds > 0 ? bytes / seconds : 0;
      options.onProgress?.({
        bytesDone: bytes,
        totalBytes,
        chunksDone,
        totalChunks: meta?.numChunks ?? 0,
        bytesPerSecond: rate,
        etaSeconds: rate > 0 ? (totalBytes - bytes) / rate : undefined,
      });
    },
  });
  if (!made.ok)
    throw new ClientError(
      "CYXW_CLIENT_INTEGRITY",
      `${version.ref}: the manifest does not verify: ${made.error.code}: ${made.error.message}`,
    );
  const receiver = made.value;
  const receiverChunks = receiver.numChunks;

  const request = async (index: number): Promise<DataChunk> => {
    for (let attempt = 1; ; attempt++) {
      try {
        return await clients.dataTransfer.requestChunk(
          { transferId: version.transferId, chunkIndex: index },
          callOptions,
        );
      } catch (e) {
        checkCancelled();
        const ce = e as { name?: unknown; code?: unknown; rawMessage?: unknown } | null;
        if (ce?.name === "ConnectError" && ce.code === Code.DataLoss) {
          // The gateway re-hashes a chunk as it reads it: its stored copy is damaged.
          throw new ClientError(
            "CYXW_CLIENT_INTEGRITY",
            `chunk ${index} of ${version.ref} is damaged where the gateway stores it: ${String(ce.rawMessage)}`,
            { chunkIndex: index, cause: e },
          );
        }
        if (attempt >= ATTEMPTS || !isTransient(e))
          throw toClientError(e, `RequestChunk ${index} of ${version.ref} ${where}`);
        await sleep(200 * attempt);
      }
    }
  };
  const pending = new Map<number, Promise<DataChunk>>();
  let requested = 0;
  const fill = (upTo: number) => {
    while (requested < receiverChunks && requested < upTo) {
      const p = request(requested);
      p.catch(() => undefined); // awaited in order below; a later chunk's failure must not go unhandled meanwhile
      pending.set(requested++, p);
    }
  };

  for (let index = 0; index < receiverChunks; index++) {
    checkCancelled();
    fill(index + inFlight);
    let chunk = await pending.get(index)!;
    checkCancelled();
    pending.delete(index);
    for (let attempt = 1; ; attempt++) {
      const events = await receiver.receiveDataChunk(chunk);
      const ack = events.find((e) => e.kind === "ack");
      const refused = ack?.kind === "ack" && ack.ack.status !== AckStatus.ACK_OK ? ack.ack : undefined;
      if (refused === undefined && events.some((e) => e.kind === "durable" && e.index === index)) break;
      const why =
        refused === undefined ? "the chunk was not accepted" : refused.errorMessage || AckStatus[refused.status];
      const transportDamage =
        refused !== undefined &&
        (refused.status === AckStatus.ACK_FCS_ERROR || refused.status === AckStatus.ACK_CHECKSUM_MISMATCH);
      if (!transportDamage || attempt >= ATTEMPTS) {
        throw new ClientError("CYXW_CLIENT_INTEGRITY", `chunk ${index} of ${version.ref} failed verification: ${why}`, {
          chunkIndex: index,
        });
      }
      chunk = await request(index); // damaged on the way: ask once more
    }
  }
  if (!receiver.complete)
    throw new ClientError(
      "CYXW_CLIENT_INTEGRITY",
      `${version.ref}: ${receiverChunks - receiver.chunksDurable} chunks were never verified`,
    );
  return { version, manifest, bytes };
}
