import type { WorkerEvent } from "@cyxwiz/client/worker";

/**
 * The messages between the volunteer page and its Web Worker (volunteer.worker.ts), which runs
 * `runWorker` from "@cyxwiz/client/worker" (docs/compute.md "Dashboard"). Structured-clone data
 * only. The worker's events are runWorker's `WorkerEvent`s, passed on as they come.
 */

/** The capacity a browser tab offers (NodeCapacity; the worker adds the backend it expects). */
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
      /** The gateway (the page's origin) and the person's session token, sent on Register only (the node is theirs). */
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

/** runWorker's events ("@cyxwiz/client/worker"), passed on as they come. */
export type VolunteerEvent = WorkerEvent;

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
