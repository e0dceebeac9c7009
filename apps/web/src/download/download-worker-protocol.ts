import type { DownloadProgress } from "@cyxwiz/client";
import type { DatasetManifest, DatasetVersion } from "@cyxwiz/protocol/gen";

/** Who is downloading, from where (the worker keeps no session). */
export interface DownloadGateway {
  /** The gateway's base URL (the page's origin). */
  readonly baseUrl: string;
  readonly token: string;
  /** The signed-in username: whose keys in IndexedDB may be used. */
  readonly owner: string;
}

/** Messages from the page to the download worker. `id` names one download. */
export type PageToDownloadWorker =
  | {
      readonly kind: "start";
      readonly id: string;
      readonly gateway: DownloadGateway;
      /** `name@vN`. */
      readonly ref: string;
      /** The version's transfer id: where its key is kept in IndexedDB. */
      readonly transferId: string;
      readonly encrypted: boolean;
      /**
       * The recovery key the person entered; without it an encrypted version is opened with the
       * key kept in this browser (dataset-key-store.ts), read in the worker.
       */
      readonly recoveryKey?: Uint8Array;
      /**
       * A dataset of samples saved as one Arrow IPC file (docs/dataset-formats.md): the chunks are
       * gathered here and handed over as one "chunk" 0 once all are verified.
       */
      readonly arrow?: boolean;
    }
  /**
   * Reads the version's first chunk (GetPreview), verified and decrypted here with the key kept
   * in this browser or `recoveryKey`: answered with "preview" or "failed".
   */
  | {
      readonly kind: "preview";
      readonly id: string;
      readonly gateway: DownloadGateway;
      readonly ref: string;
      readonly transferId: string;
      readonly encrypted: boolean;
      readonly recoveryKey?: Uint8Array;
    }
  /** The page wrote chunk `index` to the file: the worker may hand over the next one. */
  | { readonly kind: "written"; readonly id: string; readonly index: number }
  | { readonly kind: "cancel"; readonly id: string };

/** Why a download failed, for the page to decide what to offer next. */
export type DownloadFailure =
  /** No key in this browser, or the one given does not open the dataset: ask for the recovery key. */
  | "key"
  /** A chunk failed verification (FCS, SHA-256, decryption, Merkle proof): `chunkIndex` names it. */
  | "integrity"
  /** The session was refused. */
  | "auth"
  | "other";

/** Messages from the download worker to the page. */
export type DownloadWorkerToPage =
  /** One chunk's verified plaintext, in order; its buffer is transferred. Answer with "written". */
  | { readonly kind: "chunk"; readonly id: string; readonly index: number; readonly bytes: Uint8Array }
  | { readonly kind: "progress"; readonly id: string; readonly progress: DownloadProgress }
  | { readonly kind: "done"; readonly id: string; readonly bytes: number }
  /** A preview's answer: the version, its manifest and chunk 0's plaintext (its buffer transferred). */
  | {
      readonly kind: "preview";
      readonly id: string;
      readonly version: DatasetVersion;
      readonly manifest: DatasetManifest;
      readonly firstChunk: Uint8Array;
    }
  | {
      readonly kind: "failed";
      readonly id: string;
      readonly failure: DownloadFailure;
      readonly message: string;
      readonly chunkIndex?: number;
    }
  | { readonly kind: "cancelled"; readonly id: string };
