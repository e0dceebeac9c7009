import { create } from "@bufbuild/protobuf";
import { Code, ConnectError, type HandlerContext, type ServiceImpl } from "@connectrpc/connect";
import { updateMessage, verifySignature } from "@cyxwiz/protocol/crypto";
import { FetchShardResponseSchema, type NodeService, WatchAssignmentsResponseSchema } from "@cyxwiz/protocol/gen";
import { decodeUpdate, isTrainingError } from "@cyxwiz/training";
import type { GatewayDeps } from "../gateway-deps.js";
import { nodePrincipalKey } from "../rpc/request-context.js";
import { invalidArgument, notFound, permissionDenied, toConnectError } from "../rpc/rpc-errors.js";
import { servedChunk } from "../rpc/served-chunk.js";
import { ACTIVE_WORKER_STATES, FINISHED_JOB_STATES, isStoreError, type JobRecord } from "../store/index.js";
import { assignmentKey, currentAssignment } from "./job-assignment.js";
import { jobDataset } from "./job-dataset.js";
import { REPUTATION_ACCEPTED, REPUTATION_REJECTED } from "./job-engine.js";
import { createWaker, type JobEvents } from "./job-events.js";
import { planJob, specFromJson } from "./job-spec.js";

/** What the worker-facing methods need of the gateway. */
export type NodeWorkDeps = Pick<GatewayDeps, "store" | "blobs" | "primitives" | "log"> & {
  readonly jobEvents: JobEvents;
};

/** How often a quiet assignment stream re-reads the database anyway (a missed wake-up costs this much). */
const ASSIGNMENT_POLL_MS = 5_000;

function nodeOf(ctx: HandlerContext): string {
  const node = ctx.values.get(nodePrincipalKey);
  if (node === undefined)
    throw new ConnectError("this method needs a node token (NodeService.Register)", Code.Unauthenticated);
  return node.nodeId;
}

async function jobOf(deps: NodeWorkDeps, jobId: string): Promise<JobRecord> {
  try {
    return await deps.store.jobs.get(jobId);
  } catch (e) {
    if (isStoreError(e) && e.code === "not_found") throw notFound(`job ${jobId} not found`);
    throw toConnectError(e);
  }
}

/** The caller's active worker row in a job. @throws PERMISSION_DENIED when it is not one. */
async function workerOf(deps: NodeWorkDeps, job: JobRecord, nodeId: string) {
  const worker = (await deps.store.jobs.workers(job.id)).find((w) => w.nodeId === nodeId);
  if (worker === undefined || !ACTIVE_WORKER_STATES.includes(worker.state) || FINISHED_JOB_STATES.has(job.state))
    throw permissionDenied(`node ${nodeId} is not a worker of job ${job.id}`);
  return worker;
}

/**
 * The worker-facing methods of NodeService (docs/compute.md "Workers"): WatchAssignments,
 * FetchShard and SubmitUpdate. The caller is the node of the node token (nodePrincipalKey, set by
 * the auth interceptor); registration, heartbeats and the rest are NodeService's other half.
 */
export function createNodeWorkService(
  deps: NodeWorkDeps,
): Pick<ServiceImpl<typeof NodeService>, "watchAssignments" | "fetchShard" | "submitUpdate"> {
  return {
    async *watchAssignments(_req, ctx) {
      const nodeId = nodeOf(ctx);
      const waker = createWaker((wake) => deps.jobEvents.onNode(nodeId, wake), ctx.signal, deps.jobEvents);
      const sent = new Map<string, string>(); // job id → key of the assignment sent
      try {
        // The current assignment at once (a reconnecting worker resumes), then each change.
        do {
          const a = await currentAssignment(deps, nodeId);
          for (const jobId of [...sent.keys()]) {
            if (jobId === a?.jobId) continue;
            const job = await deps.store.jobs.get(jobId).catch(() => undefined);
            const still =
              job !== undefined &&
              !FINISHED_JOB_STATES.has(job.state) &&
              (await deps.store.jobs.activeWorkerOf(nodeId))?.jobId === jobId;
            if (still) continue;
            sent.delete(jobId);
            yield create(WatchAssignmentsResponseSchema, { event: { case: "revokedJobId", value: jobId } });
          }
          if (a !== undefined && sent.get(a.jobId) !== assignmentKey(a)) {
            sent.set(a.jobId, assignmentKey(a));
            yield create(WatchAssignmentsResponseSchema, { event: { case: "assignment", value: a } });
          }
        } while (await waker.wait(ASSIGNMENT_POLL_MS));
      } finally {
        waker.close();
      }
    },

    async *fetchShard(req, ctx) {
      const nodeId = nodeOf(ctx);
      const job = await jobOf(deps, req.jobId);
      const worker = await workerOf(deps, job, nodeId);
      const shard = (await deps.store.jobs.shards(job.id)).find((s) => s.shard === worker.shard && s.nodeId === nodeId);
      if (shard === undefined) throw permissionDenied(`node ${nodeId} holds no shard of job ${job.id}`);
      const wanted = req.chunkIndices.length === 0 ? [...shard.chunkIndices] : [...req.chunkIndices];
      for (const i of wanted) {
        if (!shard.chunkIndices.includes(i))
          throw permissionDenied(
            `chunk ${i} is not in your shard (shard ${shard.shard}: chunks ${shard.chunkIndices.join(", ")})`,
          );
      }
      const data = await jobDataset(deps, job).catch((e: unknown) => {
        throw toConnectError(e);
      });
      if (data.version.policy.auditAccess) {
        await deps.store.audit.append({
          actor: `node:${nodeId}`,
          action: "job.fetch",
          subject: `dataset:${data.version.owner}/${data.version.name}@v${data.version.version}`,
          detail: { job: job.id, shard: shard.shard, chunks: wanted },
        });
      }
      await deps.store.jobs.setWorkerState(job.id, nodeId, "fetching");
      deps.jobEvents.job(job.id, { kind: "worker", nodeId });
      for (const i of wanted) {
        yield create(FetchShardResponseSchema, {
          chunk: await servedChunk(deps, data.version.transferId, data.manifest, i),
          merkleRoot: data.version.merkleRoot,
        });
      }
    },

    async submitUpdate(req, ctx) {
      const nodeId = nodeOf(ctx);
      const job = await jobOf(deps, req.jobId);
      const worker = await workerOf(deps, job, nodeId);
      const node = await deps.store.nodePool.get(nodeId);
      if (node === undefined) throw permissionDenied(`node ${nodeId} is not registered`);
      if (!verifySignature(node.signingPublicKey, updateMessage(job.id, req.round, req.delta), req.signature))
        throw new ConnectError(
          `the update's signature does not verify with node ${nodeId}'s key (updateMessage over job, round and delta)`,
          Code.Unauthenticated,
        );
      const round = job.currentRound === 0 ? undefined : await deps.store.jobs.round(job.id, job.currentRound);
      if (job.state !== "running" || round === undefined || round.closedAt !== undefined || req.round !== round.round)
        return {
          accepted: false,
          reason: `round ${req.round} is not open (job ${job.id} is ${job.state} at round ${job.currentRound}${round?.closedAt === undefined ? "" : ", closed"})`,
        };
      const data = await jobDataset(deps, job);
      const plan = planJob(specFromJson(job.spec), data.layout);
      let delta: Float32Array;
      try {
        delta = decodeUpdate(req.delta);
      } catch (e) {
        if (isTrainingError(e)) throw invalidArgument(`delta: ${e.message}`);
        throw e;
      }
      if (delta.length !== plan.parameters)
        throw invalidArgument(
          `delta: the update has ${delta.length} values but the model has ${plan.parameters} parameters`,
        );
      // FedAvg weighs an update by its samples: the claim is capped at what the worker's shard can
      // give in a round (shard samples × local epochs, or local steps × batch size), so a worker
      // cannot outweigh the others by claiming more than it was given.
      const shard = (await deps.store.jobs.shards(job.id)).find((s) => s.shard === worker.shard);
      const most = plan.localSteps > 0 ? plan.localSteps * plan.batchSize : (shard?.samples ?? 0) * plan.localEpochs;
      const samples = Math.min(Number(req.samples), most);
      let reason = "";
      const bad = delta.findIndex((v) => !Number.isFinite(v));
      if (bad >= 0) reason = `value ${bad} of the delta is ${delta[bad]} (NaN or ±Inf)`;
      else if (samples === 0) reason = "the update trained on 0 samples";
      const accepted = reason === "";
      const recorded = await deps.store.jobs.recordUpdate({
        jobId: job.id,
        round: round.round,
        nodeId,
        samples,
        delta: accepted ? req.delta : undefined,
        accepted,
        reason,
        loss: req.loss,
        accuracy: req.accuracy,
        samplesPerSecond: req.samplesPerSecond,
        backend: ["webgpu", "wasm", "cpu"].includes(req.backend) ? req.backend : "",
      });
      if (!recorded)
        return { accepted: false, reason: `an update of round ${round.round} is already recorded for ${nodeId}` };
      await deps.store.nodePool.adjustReputation(nodeId, accepted ? REPUTATION_ACCEPTED : REPUTATION_REJECTED);
      if (!accepted) {
        // A worker that sends a broken update is out of the job (`rejected`): its shard goes back to
        // the pool (merged into the others or given to an idle node), so the round need not wait for it.
        await deps.store.jobs.removeWorker(job.id, nodeId, "rejected");
        deps.log.warn(
          { jobId: job.id, round: round.round, nodeId, reason },
          "update rejected: the worker leaves the job and its shard is reassigned",
        );
        deps.jobEvents.node(nodeId);
      }
      deps.jobEvents.job(job.id, { kind: "worker", nodeId });
      deps.jobEvents.wake();
      return { accepted, reason };
    },
  };
}
