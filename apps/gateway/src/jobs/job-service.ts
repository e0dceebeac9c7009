import { randomBytes } from "node:crypto";
import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import type { HandlerContext, ServiceImpl } from "@connectrpc/connect";
import { CHUNK_KEY_ALGORITHM } from "@cyxwiz/protocol/crypto";
import {
  ChunkKeyGrantSchema,
  DatasetManifestSchema,
  type JobService,
  WatchJobResponseSchema,
} from "@cyxwiz/protocol/gen";
import { decodeUpdate, encodeUpdate } from "@cyxwiz/training";
import type { GatewayDeps } from "../gateway-deps.js";
import { callerOf } from "../rpc/data-transfer-service.js";
import { parseDatasetRef } from "../rpc/proto-mapping.js";
import { failedPrecondition, invalidArgument, notFound, toConnectError } from "../rpc/rpc-errors.js";
import { FINISHED_JOB_STATES, isStoreError, type JobRecord, type WorkerRecord } from "../store/index.js";
import { gatewayReadable, grantable, splitIndices } from "./job-dataset.js";
import { createWaker, type JobEvent, type JobEvents } from "./job-events.js";
import { exportModel, jobInitialWeights } from "./job-model.js";
import { jobStateToProto, jobToProto, roundToProto, workerToProto } from "./job-proto.js";
import { normalizedSpec, planJob, specFromJson, specToJson } from "./job-spec.js";

/** What JobService needs of the gateway. */
export type JobServiceDeps = Pick<GatewayDeps, "store" | "log"> & { readonly jobEvents: JobEvents };

/** How often a quiet WatchJob re-reads the job anyway. */
const WATCH_POLL_MS = 5_000;

/**
 * The platform's JobService (docs/compute.md): jobs on the caller's own datasets of samples.
 * Another owner's job, or a job on another owner's dataset, is answered exactly as a missing one.
 */
export function createJobService(deps: JobServiceDeps): ServiceImpl<typeof JobService> {
  const { store, jobEvents } = deps;

  async function ownJob(ctx: HandlerContext, id: string): Promise<JobRecord> {
    const caller = callerOf(ctx);
    let job: JobRecord | undefined;
    if (/^job_[0-9a-f]{24}$/.test(id)) {
      try {
        job = await store.jobs.get(id);
      } catch (e) {
        if (!(isStoreError(e) && e.code === "not_found")) throw toConnectError(e);
      }
    }
    if (job === undefined || job.owner !== caller.username) throw notFound(`job ${id} not found`);
    return job;
  }

  return {
    async submitJob(req, ctx) {
      const caller = callerOf(ctx);
      const spec = req.spec;
      if (spec === undefined) throw invalidArgument("spec: required");
      const ref = parseDatasetRef(spec.datasetRef);
      if (ref === undefined)
        throw invalidArgument(
          `spec.dataset_ref: ${JSON.stringify(spec.datasetRef)} is not a dataset reference ("name@v2")`,
        );
      if (ref.owner !== undefined && ref.owner !== caller.username)
        throw notFound(
          `dataset ${ref.owner}/${ref.name}${ref.version === undefined ? "" : `@v${ref.version}`} not found`,
        );
      let version: Awaited<ReturnType<typeof store.datasets.get>>;
      try {
        version = await store.datasets.get(caller.username, ref.name, ref.version);
      } catch (e) {
        throw toConnectError(e);
      }
      const datasetRef = `${version.name}@v${version.version}`;
      const manifest = fromBinary(DatasetManifestSchema, version.manifestBytes);
      const layout = manifest.samples;
      if (layout === undefined)
        throw failedPrecondition(
          `${datasetRef} is not a dataset of samples (its manifest has no sample layout): upload it from files (cyxwiz upload, or the dashboard) to train on it`,
        );
      if (layout.labelColumn === "")
        throw failedPrecondition(`${datasetRef} has no label column: re-upload it naming one (--label-column)`);
      if (version.encrypted && !grantable(manifest))
        throw failedPrecondition(
          `${datasetRef} is encrypted with ${manifest.cipher?.algorithm ?? "an unknown suite"}, whose chunks cannot be granted one by one: re-upload with per-chunk keys (${CHUNK_KEY_ALGORITHM})`,
        );
      const plan = planJob(spec, layout);
      const split = splitIndices(layout);
      if (split[plan.evaluationSplit].length === 0)
        throw failedPrecondition(
          `the ${plan.evaluationSplit} split of ${datasetRef} is empty (0 of ${layout.numSamples} samples): evaluate on the other split, or re-upload with another --split`,
        );
      if (split.train.length < plan.minWorkers)
        throw failedPrecondition(
          `the train split of ${datasetRef} has ${split.train.length} samples: fewer than min_workers (${plan.minWorkers})`,
        );
      if (plan.strategy !== "sample" && !gatewayReadable(version))
        throw failedPrecondition(
          `the ${plan.strategy} strategy reads the "${plan.column}" column, which the gateway cannot read (${datasetRef} is encrypted without an escrowed key): use "sample"`,
        );
      const id = `job_${randomBytes(12).toString("hex")}`;
      const weights = await jobInitialWeights(plan.model, plan.numClasses, plan.seed);
      try {
        const job = await store.jobs.create({
          id,
          owner: caller.username,
          datasetId: await store.jobs.datasetId(caller.username, version.name),
          version: version.version,
          datasetRef,
          spec: specToJson(normalizedSpec({ ...spec, datasetRef }, plan)),
          initialWeights: encodeUpdate(weights),
        });
        await store.audit.append({
          actor: `user:${caller.username}`,
          action: "job.submit",
          subject: `job:${id}`,
          detail: { dataset: datasetRef, parameters: plan.parameters, rounds: plan.rounds },
        });
        deps.log.info({ jobId: id, dataset: datasetRef, parameters: plan.parameters }, "job submitted");
        jobEvents.wake();
        return { job: await jobToProto(deps, job) };
      } catch (e) {
        throw toConnectError(e);
      }
    },

    async getJob(req, ctx) {
      return { job: await jobToProto(deps, await ownJob(ctx, req.id)) };
    },

    async listJobs(_req, ctx) {
      const caller = callerOf(ctx);
      const jobs = await store.jobs.list(caller.username);
      return { jobs: await Promise.all(jobs.map((j) => jobToProto(deps, j))) };
    },

    async cancelJob(req, ctx) {
      const job = await ownJob(ctx, req.id);
      const workers = await store.jobs.workers(job.id);
      const reason = req.reason === "" ? `cancelled by ${job.owner}` : req.reason.slice(0, 500);
      if (await store.jobs.finish(job.id, "cancelled", reason)) {
        await store.audit.append({
          actor: `user:${job.owner}`,
          action: "job.cancel",
          subject: `job:${job.id}`,
          detail: { reason },
        });
        jobEvents.job(job.id, { kind: "state" });
        for (const w of workers) jobEvents.node(w.nodeId);
      }
      return { job: await jobToProto(deps, await store.jobs.get(job.id)) };
    },

    async *watchJob(req, ctx) {
      const job = await ownJob(ctx, req.id);
      const queue: JobEvent[] = [];
      const waker = createWaker(
        (wake) =>
          jobEvents.onJob(job.id, (e) => {
            queue.push(e);
            wake();
          }),
        ctx.signal,
        jobEvents,
      );
      const workerEvent = async (w: WorkerRecord) => {
        const node = await store.nodePool.get(w.nodeId);
        const shard = (await store.jobs.shards(job.id)).find((s) => s.shard === w.shard);
        return create(WatchJobResponseSchema, {
          event: { case: "worker", value: workerToProto(w, node, shard?.samples ?? 0) },
        });
      };
      // The job's end: the workers it ended with (now `done`), then the final state, once.
      let ended = false;
      async function* end(state: JobRecord["state"]) {
        if (!ended) {
          ended = true;
          for (const w of await store.jobs.workers(job.id)) if (w.state === "done") yield await workerEvent(w);
        }
        yield create(WatchJobResponseSchema, { event: { case: "state", value: jobStateToProto(state) } });
      }
      try {
        yield create(WatchJobResponseSchema, { event: { case: "snapshot", value: await jobToProto(deps, job) } });
        if (FINISHED_JOB_STATES.has(job.state)) return;
        while (await waker.wait(WATCH_POLL_MS)) {
          const events = queue.splice(0);
          for (const e of events) {
            if (e.kind === "round_closed") {
              const r = await store.jobs.round(job.id, e.round);
              if (r !== undefined)
                yield create(WatchJobResponseSchema, {
                  event: { case: "roundClosed", value: await roundToProto(deps, r) },
                });
            } else if (e.kind === "worker") {
              const w = (await store.jobs.workers(job.id)).find((x) => x.nodeId === e.nodeId);
              if (w !== undefined) yield await workerEvent(w);
            } else {
              const { state } = await store.jobs.get(job.id);
              if (FINISHED_JOB_STATES.has(state)) yield* end(state);
              else yield create(WatchJobResponseSchema, { event: { case: "state", value: jobStateToProto(state) } });
            }
          }
          const current = await store.jobs.get(job.id);
          if (FINISHED_JOB_STATES.has(current.state)) {
            if (!ended) yield* end(current.state);
            return;
          }
        }
      } finally {
        waker.close();
      }
    },

    async getModel(req, ctx) {
      const job = await ownJob(ctx, req.id);
      const latest = await store.jobs.latestModel(job.id);
      if (latest.round === 0) throw failedPrecondition(`job ${job.id} has no trained model yet: no round has closed`);
      const version = await store.datasets
        .get(job.owner, job.datasetRef.replace(/@v\d+$/, ""), job.version)
        .catch((e: unknown) => {
          throw toConnectError(e);
        });
      const layout = fromBinary(DatasetManifestSchema, version.manifestBytes).samples!;
      const plan = planJob(specFromJson(job.spec), layout);
      const model = await exportModel(plan, decodeUpdate(latest.weights));
      return { modelJson: model.modelJson, weights: model.weights, round: latest.round };
    },

    async grantKeys(req, ctx) {
      const job = await ownJob(ctx, req.id);
      if (FINISHED_JOB_STATES.has(job.state)) throw failedPrecondition(`job ${job.id} is ${job.state}`);
      const shards = await store.jobs.shards(job.id);
      const version = await store.datasets.get(job.owner, job.datasetRef.replace(/@v\d+$/, ""), job.version);
      const cipher = fromBinary(DatasetManifestSchema, version.manifestBytes).cipher;
      if (!version.encrypted || cipher === undefined)
        throw failedPrecondition(`${job.datasetRef} is not encrypted: no keys to grant`);
      if (req.grants.length === 0) throw invalidArgument("grants: at least one grant is needed");
      const same = (a: Uint8Array, b: Uint8Array) => Buffer.from(a).equals(Buffer.from(b));
      const checked = req.grants.map((g, i) => {
        const at = `grants[${i}]`;
        const shard = shards.find((s) => s.nodeId === g.nodeId);
        if (shard === undefined) throw invalidArgument(`${at}.node_id: ${g.nodeId} holds no shard of job ${job.id}`);
        const grant = g.grant;
        if (grant === undefined || grant.wrapped === undefined) throw invalidArgument(`${at}.grant: required`);
        if (grant.algorithm !== CHUNK_KEY_ALGORITHM)
          throw invalidArgument(`${at}.grant.algorithm: "${grant.algorithm}", expected "${CHUNK_KEY_ALGORITHM}"`);
        if (!same(grant.salt, cipher.salt) || !same(grant.noncePrefix, cipher.noncePrefix))
          throw invalidArgument(`${at}.grant: salt and nonce prefix are not those of ${job.datasetRef}`);
        const wanted = shard.chunkIndices.join(", ");
        if (grant.chunkIndices.join(", ") !== wanted)
          throw invalidArgument(
            `${at}.grant.chunk_indices: [${grant.chunkIndices.join(", ")}] are not the chunks of shard ${shard.shard} of ${g.nodeId} ([${wanted}]): grant exactly those`,
          );
        return { nodeId: g.nodeId, shard: shard.shard, grantData: toBinary(ChunkKeyGrantSchema, grant) };
      });
      for (const c of checked) await store.jobs.putKeyGrant({ jobId: job.id, ...c, madeBy: "owner" });
      await store.audit.append({
        actor: `user:${job.owner}`,
        action: "job.grant",
        subject: `job:${job.id}`,
        detail: { nodes: checked.map((c) => c.nodeId), madeBy: "owner" },
      });
      for (const c of checked) jobEvents.node(c.nodeId);
      jobEvents.wake();
      return { job: await jobToProto(deps, await store.jobs.get(job.id)) };
    },
  };
}
