import type { Transport } from "@connectrpc/connect";
import type { BackendPreference, ModelSpec } from "@cyxwiz/training";
import type { DownloadSignal } from "../download.js";
import type { WorkerEvent } from "./worker-events.js";

/** The worker's keys: Ed25519 to sign, X25519 for chunk-key grants (docs/node-daemon.md "Identity"). */
export interface WorkerIdentity {
  readonly signingPublicKey: Uint8Array;
  readonly agreementPublicKey: Uint8Array;
  /** Ed25519 signature of `message` with the identity's secret key. */
  sign(message: Uint8Array): Uint8Array | Promise<Uint8Array>;
  /** The X25519 secret key chunk-key grants are opened with. */
  readonly agreementSecretKey: Uint8Array;
}

/** What the worker tells the gateway it can do (NodeCapacity). */
export interface WorkerCapacity {
  readonly cores: number;
  readonly memoryBytes: number;
  /** "webgpu", "wasm" or "cpu": the backend it expects to train with. */
  readonly backend: string;
  readonly region: string;
  readonly storageBytes: number;
}

/**
 * Where fetched chunks are kept, as fetched (ciphertext for encrypted data), by the hex SHA-256 of
 * those bytes. The daemon's is encrypted at rest and bounded (apps/node-daemon chunk-cache.ts); the
 * default keeps them in memory.
 */
export interface WorkerChunkStore {
  /** The bytes stored under `digestHex`, or undefined (absent, expired or damaged). */
  get(digestHex: string): Promise<Uint8Array | undefined>;
  put(digestHex: string, bytes: Uint8Array, options: { jobId: string; ttlHours: number }): Promise<void>;
  /** Drops the job's claim on its chunks and deletes those no other job holds. */
  eraseJob(jobId: string, options: { secure: boolean }): Promise<{ chunks: number; overwritten: boolean }>;
  /** The most bytes the store can hold, when bounded: an assignment needing more is not trained. */
  readonly maxBytes?: number;
}

/** What {@link runWorker} needs. */
export interface WorkerOptions {
  /** A Connect transport to the gateway, without auth: the worker adds its node token. */
  readonly transport: Transport;
  readonly identity: WorkerIdentity;
  readonly kind: "daemon" | "browser";
  readonly label: string;
  readonly capacity: WorkerCapacity;
  readonly backend: BackendPreference;
  /** Default: an in-memory store. */
  readonly chunkStore?: WorkerChunkStore;
  /** A person's token sent on Register only: the node is registered as that person's own worker. */
  readonly userToken?: string;
  /** Aborting it makes the worker erase what it holds, Leave, and resolve. */
  readonly signal: DownloadSignal;
  readonly onEvent?: (e: WorkerEvent) => void;
  /** Batches decoded ahead of training (default 4): the memory bound (docs/training.md "Batches"). */
  readonly maxBatchesInMemory?: number;
  /** Heartbeat interval until the gateway says otherwise (default: the gateway's, else 15 s). */
  readonly heartbeatSeconds?: number;
  /**
   * Chooses and sets the training backend for a model (default: @cyxwiz/training's chooseBackend
   * with `backend`). The daemon hands in its own to pass over webgpu when no adapter package is
   * installed.
   */
  readonly chooseBackend?: (spec: ModelSpec) => Promise<{ readonly backend: string; readonly reason: string }>;
}
