import type { UploadEvent, UploadProgress } from "@cyxwiz/client";
import type { ShardingSpec, ShardPreview } from "../preview/preview-types.js";
import type { AnalysisOutcome } from "./sample-analyser.js";
import type { UploadChoices } from "./upload-choices.js";

/** Who is uploading, to where: every start and discard carries it (the worker keeps no session). */
export interface WorkerGateway {
  /** The gateway's base URL (the page's origin). */
  readonly baseUrl: string;
  readonly token: string;
  /** The signed-in username; saved with the upload so only its owner is offered to resume it. */
  readonly owner: string;
}

/** Messages from the page to the upload worker. `id` is the upload's key in IndexedDB. */
export type PageToWorker =
  | {
      readonly kind: "start";
      readonly id: string;
      /** Read one slice at a time in the worker; never copied whole. */
      readonly file: File;
      /** Every file of a dataset of several files (a folder, IDX images and labels); `file` is the first. */
      readonly files?: readonly File[];
      readonly gateway: WorkerGateway;
      /** For a new upload; a saved one (retry, resume after reload) uses its saved choices. */
      readonly choices: UploadChoices;
      /** True when continuing a saved upload: the record must exist and `file` must be its file. */
      readonly resume: boolean;
    }
  /** Reads the files as samples and answers with "analysing" reports, then "analysed". */
  | { readonly kind: "analyse"; readonly id: string; readonly files: readonly File[] }
  /** Samples and classes per shard of `spec` over the analysed table; `seq` orders the answers. */
  | { readonly kind: "shard-preview"; readonly id: string; readonly seq: number; readonly spec: ShardingSpec }
  /** Drops the analysed table of a row that is gone. */
  | { readonly kind: "forget"; readonly id: string }
  | { readonly kind: "pause"; readonly id: string }
  | { readonly kind: "resume"; readonly id: string }
  /** Stops a running upload, or discards a saved one: CancelTransfer on the gateway, then the record is deleted. */
  | { readonly kind: "cancel"; readonly id: string; readonly gateway: WorkerGateway };

/** Messages from the upload worker to the page. */
export type WorkerToPage =
  /** Sent once at start: which primitives run, and any warning (crypto.subtle missing) to show. */
  | { readonly kind: "hello"; readonly primitives: string; readonly warnings: readonly string[] }
  /** How much of the files the analysis has read, 0 to 1. */
  | { readonly kind: "analysing"; readonly id: string; readonly fraction: number }
  | { readonly kind: "analysed"; readonly id: string; readonly outcome: AnalysisOutcome }
  | {
      readonly kind: "shard-preview";
      readonly id: string;
      readonly seq: number;
      /** The shards, or why the spec cannot shard these samples. */
      readonly result: { readonly shards: readonly ShardPreview[] } | { readonly problem: string };
    }
  /** The dataset key of an encrypted upload, as 64 hex characters, for "Export recovery key". */
  | { readonly kind: "key"; readonly id: string; readonly keyHex: string }
  | {
      readonly kind: "progress";
      readonly id: string;
      readonly progress: UploadProgress;
      /** Frames sent and not yet acknowledged, when the progress was reported. */
      readonly chunksInFlight: number;
    }
  /** The engine took the pause: it sends nothing new; `chunksInFlight` frames are still to be answered. */
  | { readonly kind: "paused"; readonly id: string; readonly chunksInFlight: number }
  | { readonly kind: "event"; readonly id: string; readonly event: UploadEvent }
  | {
      readonly kind: "committed";
      readonly id: string;
      /** name@vN. */
      readonly ref: string;
      /** The version's Merkle root, lowercase hex. */
      readonly merkleRootHex: string;
      readonly keyEscrowed: boolean;
      readonly resumed: boolean;
    }
  | { readonly kind: "failed"; readonly id: string; readonly message: string; readonly authFailure: boolean }
  | { readonly kind: "cancelled"; readonly id: string; readonly message: string };
