import { checkChunkSize, DEFAULT_CHUNK_SIZE } from "@cyxwiz/protocol/chunk";
import { DataClassification } from "@cyxwiz/protocol/gen";
import { type CodecName, codecFromName } from "@cyxwiz/protocol/vocab";
import { ClientError } from "../client-error.js";
import type { BackoffOptions } from "./backoff.js";
import { DEFAULT_MAX_CHUNK_RETRIES, type UploadOptions } from "./upload-types.js";

/** An upload's options checked once, with every default filled in. */
export interface UploadSettings {
  readonly name: string;
  readonly type: string;
  readonly classification: DataClassification;
  /** Plaintext bytes per chunk (the declared chunk_size). */
  readonly chunkSize: number;
  /** Chunks of whole samples: their plain sizes and the manifest's sample layout (UploadOptions.samples). */
  readonly samples: UploadOptions["samples"];
  readonly requestedCodec: CodecName;
  readonly encrypt: boolean;
  readonly escrow: boolean;
  /** The caller's DEK, when it gave one. */
  readonly datasetKey: Uint8Array | undefined;
  /** The client's own window bound (Infinity-like when absent: the gateway's applies). */
  readonly window: number | undefined;
  readonly maxRetries: number;
  readonly backoff: BackoffOptions;
  readonly stateKey: string;
}

/**
 * Checks `options` before anything is sent and fills in the defaults (docs/upload-protocol.md §1).
 *
 * @throws ClientError CYXW_CLIENT_ESCROW when escrow is asked for Confidential or higher data or
 *   for an unencrypted upload; TypeError/RangeError for bad options (chunk size, window, a store
 *   without a state key, a DEK that is not 32 bytes, an empty name, an unknown codec).
 */
export function checkUploadOptions(options: UploadOptions): UploadSettings {
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
  return {
    name: options.name,
    type: options.type ?? "opaque",
    classification,
    chunkSize,
    samples: options.samples,
    requestedCodec,
    encrypt,
    escrow,
    datasetKey: options.datasetKey,
    window: options.window,
    maxRetries: options.maxChunkRetries ?? DEFAULT_MAX_CHUNK_RETRIES,
    backoff: {
      attempts: options.reconnect?.attempts ?? 8,
      initialDelayMs: options.reconnect?.initialDelayMs ?? 250,
      maxDelayMs: options.reconnect?.maxDelayMs ?? 10_000,
    },
    stateKey: options.stateKey ?? "",
  };
}
