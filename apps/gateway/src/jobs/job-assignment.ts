import { create, fromBinary } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import { codecName } from "@cyxwiz/protocol/compress";
import { type Assignment, AssignmentSchema, ChunkKeyGrantSchema } from "@cyxwiz/protocol/gen";
import type { GatewayDeps } from "../gateway-deps.js";
import { jobDataset } from "./job-dataset.js";
import { planJob, specFromJson } from "./job-spec.js";

/**
 * The work a node has now, read from the database (docs/compute.md "Rounds"): the open round of
 * the running job it is a worker of, unless it already sent that round's update, or — for
 * encrypted data — its chunk keys are not granted yet. Undefined when there is none.
 */
export async function currentAssignment(
  deps: Pick<GatewayDeps, "store">,
  nodeId: string,
): Promise<Assignment | undefined> {
  const worker = await deps.store.jobs.activeWorkerOf(nodeId);
  if (worker === undefined) return undefined;
  const job = await deps.store.jobs.get(worker.jobId);
  if (job.state !== "running" || job.currentRound === 0) return undefined;
  const round = await deps.store.jobs.round(job.id, job.currentRound);
  if (round === undefined || round.closedAt !== undefined) return undefined;
  if ((await deps.store.jobs.updates(job.id, round.round)).some((u) => u.nodeId === nodeId)) return undefined;
  const shard = (await deps.store.jobs.shards(job.id)).find((s) => s.shard === worker.shard && s.nodeId === nodeId);
  if (shard === undefined) return undefined;
  const data = await jobDataset(deps, job);
  const grant = data.version.encrypted
    ? (await deps.store.jobs.keyGrants(job.id)).find((g) => g.nodeId === nodeId && g.shard === shard.shard)
    : undefined;
  if (data.version.encrypted && grant === undefined) return undefined;
  const weights = await deps.store.jobs.model(job.id, round.round - 1);
  if (weights === undefined) return undefined;
  const plan = planJob(specFromJson(job.spec), data.layout);
  return create(AssignmentSchema, {
    jobId: job.id,
    round: round.round,
    shard: shard.shard,
    datasetRef: job.datasetRef,
    chunkIndices: [...shard.chunkIndices],
    chunkFirstSamples: shard.chunkFirstSamples.map(BigInt),
    samples: shard.sampleRanges.map(([start, end]) => ({ start: BigInt(start), end: BigInt(end) })),
    modelJson: JSON.stringify(plan.model),
    optimizer: plan.optimizer,
    learningRate: plan.learningRate,
    batchSize: plan.batchSize,
    localEpochs: plan.localEpochs,
    localSteps: plan.localSteps,
    augmentShiftPixels: plan.augmentShiftPixels,
    globalWeights: weights,
    deadline: timestampFromDate(round.deadline),
    featureColumns: [...plan.featureColumns],
    labelColumn: plan.labelColumn,
    labels: [...plan.labels],
    ...(grant === undefined ? {} : { keyGrant: fromBinary(ChunkKeyGrantSchema, grant.grantData) }),
    merkleRoot: data.version.merkleRoot,
    codec: codecName(data.manifest.codec),
    secureDelete: data.version.policy.secureDelete,
    cacheTtlHours: data.version.policy.cacheTtlHours,
    numChunks: data.manifest.plainSizes.length,
    chunkPlainSizes: shard.chunkIndices.map((i) => data.manifest.plainSizes[i]!),
    chunkCompressed: shard.chunkIndices.map((i) => data.manifest.compressed[i] === true),
  });
}

/** What identifies an assignment: a new one replaces the old for the same job. */
export function assignmentKey(a: Assignment): string {
  return `${a.jobId}/${a.round}/${a.shard}/${a.chunkIndices.join(",")}/${a.keyGrant === undefined ? "" : "k"}`;
}
