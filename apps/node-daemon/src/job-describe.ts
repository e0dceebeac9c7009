import { type Timestamp, timestampDate } from "@bufbuild/protobuf/wkt";
import type { Job, JobWorker, Round } from "@cyxwiz/protocol/gen";
import { jobStateName, nodeKindName, roundCloseName, workerStateName } from "@cyxwiz/protocol/vocab";

/** What `cyxwiz job …` prints about jobs, as JSON-friendly values and lines of text. */

const iso = (ts: Timestamp | undefined) => (ts === undefined ? undefined : timestampDate(ts).toISOString());

/** "mnist-mlp", or "custom" for a JSON model spec. */
export const modelOf = (job: Job): string =>
  job.spec?.model.case === "preset" ? job.spec.model.value : job.spec?.model.case === "modelJson" ? "custom" : "";

/** The last round the gateway evaluated (global metrics set), if any. */
export function lastEvaluated(job: Job): Round | undefined {
  return [...job.rounds].sort((a, b) => a.round - b.round).findLast((r) => r.global !== undefined);
}

export function describeRound(r: Round) {
  return {
    round: r.round,
    startedAt: iso(r.startedAt),
    closedAt: iso(r.closedAt),
    closedBy: roundCloseName(r.closedBy),
    accepted: r.updatesAccepted,
    rejected: r.updatesRejected,
    loss: r.global?.loss ?? null,
    accuracy: r.global?.accuracy ?? null,
    evaluatedOn: r.global === undefined ? null : Number(r.global.samples),
    workers: r.workers.map((w) => ({
      node: w.nodeId,
      accepted: w.accepted,
      ...(w.reason === "" ? {} : { reason: w.reason }),
      loss: w.local?.loss ?? null,
      accuracy: w.local?.accuracy ?? null,
      samples: w.local === undefined ? null : Number(w.local.samples),
    })),
  };
}

export function describeWorker(w: JobWorker) {
  return {
    node: w.nodeId,
    kind: nodeKindName(w.kind),
    label: w.label,
    shard: w.shard,
    state: workerStateName(w.state),
    backend: w.backend,
    samples: Number(w.shardSamples),
    samplesPerSecond: w.samplesPerSecond,
  };
}

/** A job in full (`job get --json`). */
export function describeJob(job: Job) {
  const spec = job.spec;
  const last = lastEvaluated(job);
  return {
    id: job.id,
    owner: job.owner,
    state: jobStateName(job.state),
    reason: job.reason,
    dataset: spec?.datasetRef ?? "",
    model: modelOf(job),
    round: job.currentRound,
    rounds: spec?.rounds ?? 0,
    accuracy: last?.global?.accuracy ?? null,
    loss: last?.global?.loss ?? null,
    createdAt: iso(job.createdAt),
    updatedAt: iso(job.updatedAt),
    spec:
      spec === undefined
        ? null
        : {
            optimizer: spec.optimizer,
            learningRate: spec.learningRate,
            batchSize: spec.batchSize,
            ...(spec.localWork.case === undefined ? {} : { [spec.localWork.case]: spec.localWork.value }),
            strategy: spec.shardingStrategy,
            minWorkers: spec.minWorkers,
            maxWorkers: spec.maxWorkers,
            evaluationSplit: spec.evaluationSplit,
            roundDeadlineSeconds: spec.roundDeadlineSeconds,
            quorum: spec.quorum,
            aggregation: spec.aggregation?.rule ?? "",
            serverLearningRate: spec.aggregation?.serverLearningRate ?? 0,
            augmentShiftPixels: spec.augmentShiftPixels,
          },
    workers: job.workers.map(describeWorker),
    roundsClosed: [...job.rounds].sort((a, b) => a.round - b.round).map(describeRound),
    waitingForKeys: job.keyRequests.map((k) => ({ node: k.nodeId, label: k.label, chunks: k.chunkIndices.length })),
  };
}

/**
 * What `job watch --json` prints at the end, exactly these keys: the state as a lowercase word,
 * rounds closed, the last evaluated round's accuracy and loss (null when none was), the workers.
 */
export function watchSummary(job: Job) {
  const last = lastEvaluated(job);
  return {
    job: job.id,
    state: jobStateName(job.state),
    rounds: job.rounds.length,
    accuracy: last?.global?.accuracy ?? null,
    loss: last?.global?.loss ?? null,
    workers: job.workers.map((w) => ({ node: w.nodeId, backend: w.backend, samples: Number(w.shardSamples) })),
  };
}

const percent = (x: number) => `${(x * 100).toFixed(2)}%`;

/** One closed round as a line: "round 3/10  loss 0.4123  accuracy 91.20%  accepted 4  rejected 1  closed by quorum". */
export function roundLine(r: Round, totalRounds: number): string {
  const metrics =
    r.global === undefined
      ? "not evaluated"
      : `loss ${r.global.loss.toFixed(4)}  accuracy ${percent(r.global.accuracy)}`;
  return `round ${r.round}/${totalRounds || "?"}  ${metrics}  accepted ${r.updatesAccepted}  rejected ${r.updatesRejected}  closed by ${roundCloseName(r.closedBy)}`;
}

/** A worker's change as a line: "worker n_ab12 (laptop) training on webgpu, shard 2". */
export function workerLine(w: JobWorker): string {
  return `worker ${w.nodeId}${w.label === "" ? "" : ` (${w.label})`} ${workerStateName(w.state)}${w.backend === "" ? "" : ` on ${w.backend}`}, shard ${w.shard}`;
}
