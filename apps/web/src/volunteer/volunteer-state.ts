import type { VolunteerEvent } from "./volunteer-protocol.js";

/** What the volunteer page shows, folded from the worker's events. */
export interface VolunteerView {
  /** idle: never joined; joining: started, not registered yet; working: registered; stopping: Leave sent. */
  readonly status: "idle" | "joining" | "working" | "stopping" | "stopped" | "failed";
  readonly nodeId?: string;
  readonly backend?: string;
  readonly backendReason?: string;
  /** The current assignment. */
  readonly jobId?: string;
  readonly round?: number;
  readonly shard?: number;
  readonly shardSamples?: number;
  readonly fetch?: { readonly done: number; readonly total: number; readonly cached: number };
  readonly step?: number;
  /** Batches of this round so far, and the mean of their loss and accuracy (one batch's swing a lot). */
  readonly batches?: number;
  readonly loss?: number;
  readonly accuracy?: number;
  readonly samplesPerSecond?: number;
  /** Contribution since Join: samples of submitted updates, and updates accepted / sent. */
  readonly samplesTrained: number;
  readonly updatesAccepted: number;
  readonly updatesSent: number;
  /** The last update's fate, in words. */
  readonly lastUpdate?: string;
  readonly error?: string;
}

export const IDLE_VIEW: VolunteerView = { status: "idle", samplesTrained: 0, updatesAccepted: 0, updatesSent: 0 };

/** The view after Join was pressed: contribution counts start again, the node id stays. */
export function joiningView(view: VolunteerView): VolunteerView {
  return {
    ...IDLE_VIEW,
    status: "joining",
    ...(view.nodeId === undefined ? {} : { nodeId: view.nodeId }),
  };
}

/** Folds one runWorker event into the view. Pure. */
export function applyVolunteerEvent(view: VolunteerView, e: VolunteerEvent): VolunteerView {
  switch (e.type) {
    case "registered":
      return { ...view, status: view.status === "stopping" ? "stopping" : "working", nodeId: e.nodeId };
    case "backend":
      return { ...view, backend: e.backend, backendReason: e.reason };
    case "assignment": {
      const { fetch: _f, step: _s, batches: _b, loss: _l, accuracy: _a, ...rest } = view;
      return { ...rest, jobId: e.jobId, round: e.round, shard: e.shard, shardSamples: e.samples };
    }
    case "fetch":
      return { ...view, fetch: { done: e.done, total: e.total, cached: e.cached } };
    case "batch": {
      const n = (view.batches ?? 0) + 1;
      const mean = (old: number | undefined, x: number) => (old === undefined || n === 1 ? x : old + (x - old) / n);
      return {
        ...view,
        step: e.step,
        batches: n,
        loss: mean(view.loss, e.loss),
        accuracy: mean(view.accuracy, e.accuracy),
        samplesPerSecond: e.samplesPerSecond,
      };
    }
    case "submitted":
      return {
        ...view,
        samplesTrained: view.samplesTrained + (view.jobId === e.jobId ? (view.shardSamples ?? 0) : 0),
        updatesSent: view.updatesSent + 1,
        updatesAccepted: view.updatesAccepted + (e.accepted ? 1 : 0),
        lastUpdate: e.accepted
          ? `Round ${e.round} of ${e.jobId}: update accepted.`
          : `Round ${e.round} of ${e.jobId}: update rejected (${e.reason || "no reason given"}).`,
      };
    case "erased": {
      const { jobId: _j, round: _r, shard: _s, shardSamples: _n, fetch: _f, ...rest } = view;
      return rest;
    }
    case "error":
      return { ...view, error: e.message };
    case "left":
      return { ...view, status: "stopped" };
    default:
      return assertNever(e);
  }
}

function assertNever(e: never): never {
  throw new Error(`unknown volunteer event ${JSON.stringify(e)}`);
}
