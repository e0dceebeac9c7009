/**
 * The messages between the volunteer page and its Web Worker (volunteer.worker.ts), which runs
 * `runWorker` from "@cyxwiz/client/worker" (docs/compute.md "Dashboard"). Structured-clone data
 * only. The worker's events are runWorker's `WorkerEvent`s, passed on as they come.
 */

/** The capacity a browser tab offers (NodeCapacity without the backend, which runWorker chooses). */
export interface VolunteerCapacity {
  readonly cores: number;
  readonly memoryBytes: number;
  readonly region: string;
  readonly storageBytes: number;
}

/** Page → worker. */
export type ToVolunteerWorker =
  | {
      readonly type: "join";
      /** The gateway (the page's origin) and the person's session token, for GetChallenge and Register. */
      readonly baseUrl: string;
      readonly token: string;
      readonly label: string;
      readonly capacity: VolunteerCapacity;
      /** The identity's secret keys (volunteer-identity.ts); the worker derives the rest. */
      readonly signingSeed: Uint8Array;
      readonly agreementSecret: Uint8Array;
      /** Where the TF.js wasm backend finds its .wasm files (the export's /_next/static/tfjs-wasm/, emitted by next.config.ts). */
      readonly wasmPath: string;
    }
  | { readonly type: "leave"; readonly reason: string };

/** runWorker's events (as designed for "@cyxwiz/client/worker"). */
export type VolunteerEvent =
  | { readonly kind: "registered"; readonly nodeId: string }
  | { readonly kind: "backend"; readonly backend: string; readonly reason: string }
  | {
      readonly kind: "assignment";
      readonly jobId: string;
      readonly round: number;
      readonly shard: number;
      readonly samples: number;
      readonly chunks: number;
    }
  | { readonly kind: "fetch"; readonly done: number; readonly total: number; readonly cached: number }
  | {
      readonly kind: "batch";
      readonly step: number;
      readonly loss: number;
      readonly accuracy: number;
      readonly samplesPerSecond: number;
    }
  | {
      readonly kind: "submitted";
      readonly jobId: string;
      readonly round: number;
      readonly accepted: boolean;
      readonly reason: string;
    }
  | { readonly kind: "erased"; readonly jobId?: string }
  | { readonly kind: "error"; readonly message: string }
  | { readonly kind: "left" };

/** Worker → page. */
export type FromVolunteerWorker =
  | { readonly type: "event"; readonly event: VolunteerEvent }
  /** runWorker returned (after Leave) or threw: the worker has nothing more to do. */
  | { readonly type: "stopped"; readonly error?: string };

/** The part of a `Worker` the page uses; tests hand in a fake. */
export interface VolunteerWorkerPort {
  postMessage(message: ToVolunteerWorker): void;
  terminate(): void;
  onmessage: ((event: MessageEvent<FromVolunteerWorker>) => void) | null;
  onerror: ((event: ErrorEvent) => void) | null;
}
