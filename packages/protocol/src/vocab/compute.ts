import { JobState, RoundClose, WorkerState } from "../gen/cyxwiz/compute/v1/job_service_pb.js";
import { NodeKind, NodeState } from "../gen/cyxwiz/compute/v1/node_service_pb.js";

/**
 * The compute plane's names (docs/compute.md), one home for the gateway, the CLI and the
 * dashboard: the aggregation rules and evaluation splits a JobSpec may name, and the words the
 * proto's enums are shown and printed as.
 */

/** `Aggregation.rule`: FedAvg weighted by samples, the coordinate-wise trimmed mean, Krum. */
export const AGGREGATION_RULES = ["fedavg", "trimmed-mean", "krum"] as const;
export type AggregationRule = (typeof AGGREGATION_RULES)[number];

/**
 * The largest `Aggregation.server_learning_rate`: the global weights move at most 3× the
 * combined update a round (in the bench 2× already overshoots with 2 workers; docs/compute.md).
 */
export const MAX_SERVER_LEARNING_RATE = 3;

/** The largest `JobSpec.augment_shift_pixels`: beyond a few pixels a 28-pixel digit leaves its frame. */
export const MAX_AUGMENT_SHIFT_PIXELS = 4;

/** `JobSpec.evaluation_split`: the split the global model is evaluated on each round. */
export const EVALUATION_SPLITS = ["validation", "test"] as const;
export type EvaluationSplit = (typeof EVALUATION_SPLITS)[number];

/** A proto enum value as a lowercase word: `WAITING_FOR_WORKERS` → "waiting-for-workers". */
function enumWord(names: Record<number, string>, value: number): string {
  const name = names[value];
  return name === undefined ? `unknown-${value}` : name.toLowerCase().replaceAll("_", "-");
}

/** "waiting-for-workers", "waiting-for-keys", "running", "succeeded", "failed", "cancelled". */
export const jobStateName = (state: JobState): string => enumWord(JobState, state);
/**
 * "assigned", "fetching", "training", "submitted", "lost", "left", "rejected", "done"
 * (docs/compute.md "Worker states").
 */
export const workerStateName = (state: WorkerState): string => enumWord(WorkerState, state);
/** "quorum" or "deadline". */
export const roundCloseName = (close: RoundClose): string => enumWord(RoundClose, close);
/** "daemon" or "browser". */
export const nodeKindName = (kind: NodeKind): string => enumWord(NodeKind, kind);
/** "idle", "busy", "lost", "left". */
export const nodeStateName = (state: NodeState): string => enumWord(NodeState, state);

/** Whether a job has ended: it changes no more. */
export const isJobFinished = (state: JobState): boolean =>
  state === JobState.SUCCEEDED || state === JobState.FAILED || state === JobState.CANCELLED;
