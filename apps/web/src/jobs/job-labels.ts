import { JobState, NodeKind, NodeState, RoundClose, WorkerState } from "@cyxwiz/protocol/gen";

/** A job state's words and the short name used in `data-state` attributes (TESTIDS.md). */
export interface StateLabel {
  /** "waiting-for-workers", "running", "succeeded", … */
  readonly name: string;
  /** "Waiting for workers", … */
  readonly label: string;
}

/** The words for a job's state; the badge colour follows `name`. */
export function jobStateLabel(state: JobState): StateLabel {
  switch (state) {
    case JobState.UNSPECIFIED:
      return { name: "unknown", label: "Unknown" };
    case JobState.WAITING_FOR_WORKERS:
      return { name: "waiting-for-workers", label: "Waiting for workers" };
    case JobState.WAITING_FOR_KEYS:
      return { name: "waiting-for-keys", label: "Waiting for keys" };
    case JobState.RUNNING:
      return { name: "running", label: "Running" };
    case JobState.SUCCEEDED:
      return { name: "succeeded", label: "Succeeded" };
    case JobState.FAILED:
      return { name: "failed", label: "Failed" };
    case JobState.CANCELLED:
      return { name: "cancelled", label: "Cancelled" };
    default:
      return unknownEnum(state);
  }
}

/** Whether a job in `state` can change no more (no Cancel, the watch ends). */
export function isFinished(state: JobState): boolean {
  return state === JobState.SUCCEEDED || state === JobState.FAILED || state === JobState.CANCELLED;
}

/** A worker's state in a job, in words. */
export function workerStateLabel(state: WorkerState): string {
  switch (state) {
    case WorkerState.UNSPECIFIED:
      return "unknown";
    case WorkerState.ASSIGNED:
      return "assigned";
    case WorkerState.FETCHING:
      return "fetching";
    case WorkerState.TRAINING:
      return "training";
    case WorkerState.SUBMITTED:
      return "submitted";
    case WorkerState.LOST:
      return "lost";
    case WorkerState.LEFT:
      return "left";
    default:
      return unknownEnum(state).name;
  }
}

/** A node's kind in words: "daemon", "browser". */
export function nodeKindLabel(kind: NodeKind): string {
  switch (kind) {
    case NodeKind.UNSPECIFIED:
      return "unknown";
    case NodeKind.DAEMON:
      return "daemon";
    case NodeKind.BROWSER:
      return "browser";
    default:
      return unknownEnum(kind).name;
  }
}

/** A node's state in words: "idle", "busy", "lost", "left". */
export function nodeStateLabel(state: NodeState): string {
  switch (state) {
    case NodeState.UNSPECIFIED:
      return "unknown";
    case NodeState.IDLE:
      return "idle";
    case NodeState.BUSY:
      return "busy";
    case NodeState.LOST:
      return "lost";
    case NodeState.LEFT:
      return "left";
    default:
      return unknownEnum(state).name;
  }
}

/** What closed a round: "quorum", "deadline", or undefined while it is open. */
export function roundCloseLabel(close: RoundClose): string | undefined {
  switch (close) {
    case RoundClose.UNSPECIFIED:
      return undefined;
    case RoundClose.QUORUM:
      return "quorum";
    case RoundClose.DEADLINE:
      return "deadline";
    default:
      return unknownEnum(close).name;
  }
}

/** The first characters of a node id (64 hex), enough to tell nodes apart on a page. */
export function shortNodeId(nodeId: string): string {
  return nodeId.length > 12 ? `${nodeId.slice(0, 12)}…` : nodeId;
}

/** A value a newer gateway may send that this dashboard does not know yet: shown, not hidden. */
function unknownEnum(value: never): StateLabel {
  return { name: `state-${String(value)}`, label: `State ${String(value)}` };
}
