import { assertNever } from "@cyxwiz/protocol/errors";

/**
 * What a worker reports as it runs (docs/node-daemon.md "What it logs"): the dashboard's volunteer
 * page and the daemon's log consume these, one line or row per event.
 */
export type WorkerEvent =
  | { readonly type: "registered"; readonly nodeId: string }
  | { readonly type: "backend"; readonly backend: string; readonly reason: string }
  | {
      readonly type: "assignment";
      readonly jobId: string;
      readonly round: number;
      readonly shard: number;
      /** Samples the shard's ranges select. */
      readonly samples: number;
      readonly chunks: number;
    }
  /** Chunks ready so far out of the assignment's, and how many of them came from the chunk store. */
  | { readonly type: "fetch"; readonly done: number; readonly total: number; readonly cached: number }
  | {
      readonly type: "batch";
      readonly step: number;
      readonly loss: number;
      readonly accuracy: number;
      readonly samplesPerSecond: number;
    }
  | {
      readonly type: "submitted";
      readonly jobId: string;
      readonly round: number;
      readonly accepted: boolean;
      readonly reason: string;
    }
  | { readonly type: "erased"; readonly jobId: string; readonly chunks: number; readonly overwritten: boolean }
  | { readonly type: "error"; readonly message: string; readonly jobId?: string }
  | { readonly type: "left" };

/** The event type names, e.g. for a log filter. */
export type WorkerEventType = WorkerEvent["type"];

/** One line for a person: "assignment job_1 round 2 shard 0: 160 samples in 2 chunks". */
export function describeWorkerEvent(e: WorkerEvent): string {
  switch (e.type) {
    case "registered":
      return `registered as ${e.nodeId}`;
    case "backend":
      return `backend ${e.backend} (${e.reason})`;
    case "assignment":
      return `assignment ${e.jobId} round ${e.round} shard ${e.shard}: ${e.samples} samples in ${e.chunks} chunks`;
    case "fetch":
      return `chunks ${e.done}/${e.total} ready (${e.cached} from the cache)`;
    case "batch":
      return `step ${e.step}: loss ${e.loss.toFixed(4)} accuracy ${e.accuracy.toFixed(3)} (${Math.round(e.samplesPerSecond)} samples/s)`;
    case "submitted":
      return `update for ${e.jobId} round ${e.round} ${e.accepted ? "accepted" : `rejected: ${e.reason}`}`;
    case "erased":
      return `erased ${e.chunks} chunks of ${e.jobId}${e.overwritten ? " (overwritten first)" : ""}`;
    case "error":
      return `error${e.jobId === undefined ? "" : ` in ${e.jobId}`}: ${e.message}`;
    case "left":
      return "left the gateway";
    default:
      return assertNever(e, "worker event");
  }
}
