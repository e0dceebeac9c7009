import { create } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import {
  type Job,
  JobSchema,
  JobState,
  type JobWorker,
  JobWorkerSchema,
  NodeKind,
  type Round,
  RoundClose,
  RoundSchema,
  WorkerState,
} from "@cyxwiz/protocol/gen";
import type { GatewayDeps } from "../gateway-deps.js";
import type { JobRecord, JobStateName, PoolNode, RoundRecord, WorkerRecord, WorkerStateName } from "../store/index.js";
import { specFromJson } from "./job-spec.js";

// A job as JobService answers it: read from the database, nothing cached.

const JOB_STATE: Record<JobStateName, JobState> = {
  waiting_for_workers: JobState.WAITING_FOR_WORKERS,
  waiting_for_keys: JobState.WAITING_FOR_KEYS,
  running: JobState.RUNNING,
  succeeded: JobState.SUCCEEDED,
  failed: JobState.FAILED,
  cancelled: JobState.CANCELLED,
};

const WORKER_STATE: Record<WorkerStateName, WorkerState> = {
  assigned: WorkerState.ASSIGNED,
  fetching: WorkerState.FETCHING,
  training: WorkerState.TRAINING,
  submitted: WorkerState.SUBMITTED,
  lost: WorkerState.LOST,
  left: WorkerState.LEFT,
  rejected: WorkerState.REJECTED,
  done: WorkerState.DONE,
};

export const jobStateToProto = (s: JobStateName): JobState => JOB_STATE[s];
const kindOf = (n: PoolNode | undefined) =>
  n === undefined ? NodeKind.UNSPECIFIED : n.kind === "daemon" ? NodeKind.DAEMON : NodeKind.BROWSER;

export function workerToProto(w: WorkerRecord, node: PoolNode | undefined, shardSamples: number): JobWorker {
  return create(JobWorkerSchema, {
    nodeId: w.nodeId,
    shard: w.shard,
    backend: w.backend,
    samplesPerSecond: w.samplesPerSecond,
    state: WORKER_STATE[w.state],
    ...(w.localLoss === undefined && w.localAccuracy === undefined
      ? {}
      : { local: { loss: w.localLoss ?? 0, accuracy: w.localAccuracy ?? 0, samples: BigInt(w.localSamples) } }),
    shardSamples: BigInt(shardSamples),
    kind: kindOf(node),
    label: node?.label ?? "",
  });
}

/** One round with its workers' updates. */
export async function roundToProto(deps: Pick<GatewayDeps, "store">, r: RoundRecord): Promise<Round> {
  const updates = await deps.store.jobs.updates(r.jobId, r.round);
  return create(RoundSchema, {
    round: r.round,
    startedAt: timestampFromDate(r.startedAt),
    ...(r.closedAt === undefined ? {} : { closedAt: timestampFromDate(r.closedAt) }),
    closedBy:
      r.closedBy === "quorum"
        ? RoundClose.QUORUM
        : r.closedBy === "deadline"
          ? RoundClose.DEADLINE
          : RoundClose.UNSPECIFIED,
    updatesAccepted: r.updatesAccepted,
    updatesRejected: r.updatesRejected,
    ...(r.evalAccuracy === undefined
      ? {}
      : { global: { loss: r.evalLoss ?? 0, accuracy: r.evalAccuracy, samples: BigInt(r.evalSamples ?? 0) } }),
    workers: updates.map((u) => ({
      nodeId: u.nodeId,
      local: { loss: u.loss ?? 0, accuracy: u.accuracy ?? 0, samples: BigInt(u.samples) },
      accepted: u.accepted,
      reason: u.reason,
    })),
  });
}

/** The whole job as GetJob answers it. */
export async function jobToProto(deps: Pick<GatewayDeps, "store">, job: JobRecord): Promise<Job> {
  const [rounds, workers, shards, grants] = await Promise.all([
    deps.store.jobs.rounds(job.id),
    deps.store.jobs.workers(job.id),
    deps.store.jobs.shards(job.id),
    deps.store.jobs.keyGrants(job.id),
  ]);
  const nodes = new Map((await deps.store.nodePool.many(workers.map((w) => w.nodeId))).map((n) => [n.nodeId, n]));
  const samplesOf = new Map(shards.map((s) => [s.shard, s.samples]));
  const granted = new Set(grants.map((g) => `${g.nodeId}/${g.shard}`));
  const keyRequests =
    job.state === "waiting_for_keys"
      ? shards.flatMap((s) => {
          if (s.nodeId === undefined || granted.has(`${s.nodeId}/${s.shard}`)) return [];
          const node = nodes.get(s.nodeId);
          return [
            {
              nodeId: s.nodeId,
              kind: kindOf(node),
              label: node?.label ?? "",
              region: node?.region ?? "",
              reputation: node?.reputation ?? 0,
              agreementPublicKey: node?.agreementPublicKey ?? new Uint8Array(),
              shard: s.shard,
              chunkIndices: [...s.chunkIndices],
            },
          ];
        })
      : [];
  return create(JobSchema, {
    id: job.id,
    owner: job.owner,
    spec: specFromJson(job.spec),
    state: JOB_STATE[job.state],
    reason: job.reason,
    currentRound: job.currentRound,
    rounds: await Promise.all(rounds.map((r) => roundToProto(deps, r))),
    workers: workers.map((w) => workerToProto(w, nodes.get(w.nodeId), samplesOf.get(w.shard) ?? 0)),
    createdAt: timestampFromDate(job.createdAt),
    updatedAt: timestampFromDate(job.updatedAt),
    keyRequests,
  });
}
