import { toBinary } from "@bufbuild/protobuf";
import { isShardingError } from "@cyxwiz/datasets/sharding";
import { grantChunkKeys } from "@cyxwiz/protocol/crypto";
import { ChunkKeyGrantSchema } from "@cyxwiz/protocol/gen";
import { decodeUpdate, encodeUpdate } from "@cyxwiz/training";
import type { GatewayDeps } from "../gateway-deps.js";
import {
  ACTIVE_WORKER_STATES,
  isStoreError,
  type JobRecord,
  type NewShard,
  type PoolNode,
  type ShardRecord,
  type WorkerRecord,
} from "../store/index.js";
import {
  chunkReader,
  chunkStarts,
  columnValues,
  escrowedDatasetKey,
  gatewayGrants,
  gatewayReadable,
  type JobDataset,
  jobDataset,
  splitIndices,
} from "./job-dataset.js";
import type { JobEvents } from "./job-events.js";
import { type EvalSet, evalSetOf, evaluateWeights } from "./job-model.js";
import { type JobPlan, planJob, specFromJson } from "./job-spec.js";
import { aggregateRound } from "./round-aggregation.js";
import { type DatasetColumns, planShards, rebalance } from "./shard-plan.js";
import {
  RESIZE_MIN_GAIN,
  ROUND1_MIN_GAIN,
  rememberedSpeeds,
  resizeGain,
  speedWeights,
  throughputWeights,
} from "./throughput-shares.js";

// The job engine (docs/compute.md): every decision taken from the database, so a tick is
// idempotent and a restarted gateway resumes each job where the database says it is. A tick
// runs every `tickMs` and on every poke (a submitted update, a joining node); each job is
// stepped under its own lock.

/** What the engine needs of the gateway. */
export type JobEngineDeps = Pick<GatewayDeps, "store" | "blobs" | "primitives" | "secrets" | "log"> & {
  readonly jobEvents: JobEvents;
};

export interface JobEngineOptions {
  /** Milliseconds between ticks (default 250). */
  readonly tickMs?: number;
  /** A node's heartbeat period: silent for 3 periods, it is lost (default 10 s). */
  readonly heartbeatSeconds?: number;
}

export interface JobEngine {
  /** Starts ticking (the gateway's onReady). */
  start(): void;
  /** Stops ticking and waits for the step in progress (the gateway's preClose). */
  stop(): Promise<void>;
  /** Asks for a tick soon (a job changed: an update arrived, a node joined or left). */
  poke(): void;
  /** One pass over every active job, as a tick does it; resolves when done. */
  tick(): Promise<void>;
}

/** Reputation moves (docs/compute.md "Reputation"). */
export const REPUTATION_REJECTED = -10;
export const REPUTATION_ACCEPTED = 1;

const BACKEND_RANK: Record<PoolNode["backend"], number> = { webgpu: 3, wasm: 2, cpu: 1 };

/** Whether `node` may work on a job of `owner` under the dataset's policy; the reason when not. */
export function refusalOf(node: PoolNode, owner: string, policy: JobDataset["version"]["policy"]): string | undefined {
  if (node.reputation < policy.minReputation)
    return `reputation ${node.reputation} is below the dataset's minimum ${policy.minReputation}`;
  if (!policy.thirdPartyWorkersAllowed && node.operator !== owner)
    return "the dataset allows only the owner's own workers";
  if (policy.allowedRegions.length > 0 && !policy.allowedRegions.includes(node.region))
    return `region "${node.region}" is not one of ${policy.allowedRegions.join(", ")}`;
  return undefined;
}

export function createJobEngine(deps: JobEngineDeps, options: JobEngineOptions = {}): JobEngine {
  const tickMs = options.tickMs ?? 250;
  const heartbeatMs = (options.heartbeatSeconds ?? 10) * 1000;
  const { store, jobEvents } = deps;
  const evalSets = new Map<string, Promise<EvalSet | undefined>>();
  const columnCache = new Map<string, Promise<DatasetColumns | undefined>>();
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  let again = false;
  let stopped = true;
  let offWake: () => void = () => undefined;

  const freshSince = () => new Date(Date.now() - 3 * heartbeatMs);
  const isActive = (w: WorkerRecord) => ACTIVE_WORKER_STATES.includes(w.state);

  async function columnsOf(data: JobDataset, plan: JobPlan): Promise<DatasetColumns | undefined> {
    if (plan.strategy === "sample") return undefined;
    const key = `${data.version.owner}/${data.version.name}@v${data.version.version}/${plan.column}`;
    let cached = columnCache.get(key);
    if (cached === undefined) {
      cached = (async () => {
        if (!gatewayReadable(data.version) || plan.column === undefined) return undefined;
        const read = await chunkReader(deps, data);
        const values = await columnValues(read, data.manifest.chunkDigests.length, plan.column);
        return (name: string) => (name === plan.column ? values : undefined);
      })();
      cached.catch(() => columnCache.delete(key));
      columnCache.set(key, cached);
    }
    return cached;
  }

  async function evalSetFor(job: JobRecord, data: JobDataset, plan: JobPlan): Promise<EvalSet | undefined> {
    let cached = evalSets.get(job.id);
    if (cached === undefined) {
      cached = (async () => {
        if (!gatewayReadable(data.version)) return undefined;
        const indices = splitIndices(data.layout)[plan.evaluationSplit];
        if (indices.length === 0) return undefined;
        return evalSetOf(plan, chunkStarts(data.layout), indices, await chunkReader(deps, data));
      })();
      cached.catch(() => evalSets.delete(job.id));
      evalSets.set(job.id, cached);
    }
    return cached;
  }

  /** Idle live nodes that may take this job, best first: locality, then capacity. */
  async function candidates(job: JobRecord, data: JobDataset, exclude: ReadonlySet<string>): Promise<PoolNode[]> {
    const idle = (await store.nodePool.idle(freshSince())).filter(
      (n) => !exclude.has(n.nodeId) && refusalOf(n, job.owner, data.version.policy) === undefined,
    );
    const held = await store.jobs.heldDataset(
      idle.map((n) => n.nodeId),
      job.datasetId,
      job.version,
    );
    return idle.sort(
      (a, b) =>
        Number(held.has(b.nodeId)) - Number(held.has(a.nodeId)) ||
        b.cores - a.cores ||
        b.memoryBytes - a.memoryBytes ||
        BACKEND_RANK[b.backend] - BACKEND_RANK[a.backend] ||
        a.nodeId.localeCompare(b.nodeId),
    );
  }

  const notifyWorkers = (ids: Iterable<string>) => {
    for (const id of ids) jobEvents.node(id);
  };

  async function fail(job: JobRecord, reason: string): Promise<void> {
    const workers = await store.jobs.workers(job.id);
    if (await store.jobs.finish(job.id, "failed", reason)) {
      deps.log.warn({ jobId: job.id, reason }, "job failed");
      evalSets.delete(job.id);
      jobEvents.job(job.id, { kind: "state" });
      notifyWorkers(workers.filter(isActive).map((w) => w.nodeId));
    }
  }

  async function setState(job: JobRecord, state: JobRecord["state"], reason: string): Promise<void> {
    if (await store.jobs.setState(job.id, state, reason)) jobEvents.job(job.id, { kind: "state" });
  }

  /** Takes out workers whose node is lost, left or silent; true when any was. */
  async function dropLostWorkers(job: JobRecord, workers: readonly WorkerRecord[]): Promise<boolean> {
    const active = workers.filter(isActive);
    if (active.length === 0) return false;
    const nodes = new Map((await store.nodePool.many(active.map((w) => w.nodeId))).map((n) => [n.nodeId, n]));
    const since = freshSince();
    let changed = false;
    for (const w of active) {
      const node = nodes.get(w.nodeId);
      const gone = node === undefined || node.state === "lost" || node.state === "left" || node.lastHeartbeat <= since;
      if (!gone) continue;
      await store.jobs.removeWorker(job.id, w.nodeId, node?.state === "left" ? "left" : "lost");
      deps.log.info(
        { jobId: job.id, nodeId: w.nodeId, state: node?.state ?? "unknown" },
        "worker lost: its shard goes back to the pool",
      );
      jobEvents.job(job.id, { kind: "worker", nodeId: w.nodeId });
      jobEvents.node(w.nodeId);
      changed = true;
    }
    return changed;
  }

  /** First assignment: once min_workers eligible nodes are idle, shards for up to max_workers of them. */
  async function schedule(job: JobRecord, data: JobDataset, plan: JobPlan): Promise<boolean> {
    const pool = await candidates(job, data, new Set());
    if (pool.length < plan.minWorkers) {
      await setState(
        job,
        "waiting_for_workers",
        `waiting for workers: ${pool.length} of ${plan.minWorkers} eligible worker(s) available`,
      );
      return false;
    }
    const chosen = pool.slice(0, plan.maxWorkers).map((n) => n.nodeId);
    const columns = await columnsOf(data, plan);
    const shards = await sizeByPastSpeed(
      job,
      data,
      plan,
      chosen,
      planShards(data.layout, plan, chosen, columns),
      columns,
    );
    if (!(await store.jobs.assign(job.id, shards, "waiting_for_workers", "assigning shards"))) return false;
    deps.log.info({ jobId: job.id, workers: chosen }, "job scheduled");
    for (const id of chosen) jobEvents.job(job.id, { kind: "worker", nodeId: id });
    return true;
  }

  /**
   * Round 1's shares: when every chosen node trained this model at this batch size in an earlier
   * job, and equal shares would have the slowest take ROUND1_MIN_GAIN× a split by their speeds
   * there, the shards are sized by those speeds (docs/compute.md "Shards sized by throughput").
   */
  async function sizeByPastSpeed(
    job: JobRecord,
    data: JobDataset,
    plan: JobPlan,
    chosen: readonly string[],
    shards: NewShard[],
    columns: DatasetColumns | undefined,
  ): Promise<NewShard[]> {
    if (chosen.length < 2) return shards;
    const speeds = rememberedSpeeds(await store.jobs.pastSpeeds(chosen, job.id), job.spec);
    const weights = speedWeights(chosen, speeds, { requireAll: true });
    if (weights === undefined) return shards;
    const gain = resizeGain(shards, chosen, weights);
    if (gain < ROUND1_MIN_GAIN) return shards;
    try {
      const sized = rebalance(
        data.layout,
        plan,
        shards.map((s) => ({ ...s, jobId: job.id })),
        chosen,
        columns,
        weights,
      );
      deps.log.info(
        {
          jobId: job.id,
          gain: Number(gain.toFixed(2)),
          shards: sized.map((s) => ({ node: s.nodeId, samples: s.samples })),
        },
        "round 1 shards sized by the workers' speeds in earlier jobs",
      );
      return sized;
    } catch (e) {
      if (!isShardingError(e)) throw e;
      return shards;
    }
  }

  /**
   * Shards without a worker go to idle eligible nodes, else merge into the remaining workers. When
   * no worker remains and no new node is idle, the job takes back former workers that are idle
   * again (one that missed a deadline, was lost or left; never one whose update was rejected)
   * rather than wait for new nodes.
   */
  async function reassignOrphans(
    job: JobRecord,
    data: JobDataset,
    plan: JobPlan,
    shards: readonly ShardRecord[],
    workers: readonly WorkerRecord[],
  ): Promise<"ok" | "no_workers"> {
    const orphans = shards.filter((s) => s.nodeId === undefined);
    if (orphans.length === 0) return "ok";
    const lostHere = new Set(workers.filter((w) => !isActive(w)).map((w) => w.nodeId));
    let pool = await candidates(job, data, lostHere);
    if (pool.length === 0 && orphans.length === shards.length) {
      const rejected = new Set(workers.filter((w) => w.state === "rejected").map((w) => w.nodeId));
      pool = await candidates(job, data, rejected);
      if (pool.length > 0)
        deps.log.info(
          { jobId: job.id, nodes: pool.map((n) => n.nodeId) },
          "no other worker: former workers taken back",
        );
    }
    let next: NewShard[] = shards.map((s) =>
      s.nodeId === undefined && pool.length > 0 ? { ...s, nodeId: pool.shift()!.nodeId } : s,
    );
    const holders = next.flatMap((s) => (s.nodeId === undefined ? [] : [s.nodeId]));
    if (holders.length === 0) return "no_workers";
    if (next.some((s) => s.nodeId === undefined)) {
      next = rebalance(
        data.layout,
        plan,
        next.map((s) => ({ ...s, jobId: job.id })),
        holders,
        await columnsOf(data, plan),
        throughputWeights(holders, workers),
      );
    }
    await store.jobs.reshard(job.id, next);
    deps.log.info({ jobId: job.id, shards: next.map((s) => [s.shard, s.nodeId]) }, "shards reassigned");
    for (const s of next) if (s.nodeId !== undefined) jobEvents.job(job.id, { kind: "worker", nodeId: s.nodeId });
    notifyWorkers(holders);
    return "ok";
  }

  /**
   * A node that joins a running job below max_workers takes a share: the shards are rebalanced
   * over the workers and the newcomers (the fewest samples moved, docs/sharding.md). Only at the
   * start of a round (no update yet), and only when the gateway can grant the keys itself.
   */
  async function grow(
    job: JobRecord,
    data: JobDataset,
    plan: JobPlan,
    shards: readonly ShardRecord[],
    workers: readonly WorkerRecord[],
  ): Promise<void> {
    if (!gatewayGrants(data.version)) return;
    const holders = shards.flatMap((s) => (s.nodeId === undefined ? [] : [s.nodeId]));
    if (holders.length === 0 || holders.length >= plan.maxWorkers) return;
    if (job.currentRound > 0 && (await store.jobs.updates(job.id, job.currentRound)).length > 0) return;
    const lostHere = new Set(workers.filter((w) => !isActive(w)).map((w) => w.nodeId));
    const joining = (await candidates(job, data, lostHere)).slice(0, plan.maxWorkers - holders.length);
    if (joining.length === 0) return;
    const nodes = [...holders, ...joining.map((n) => n.nodeId)];
    const next = rebalance(
      data.layout,
      plan,
      shards,
      nodes,
      await columnsOf(data, plan),
      throughputWeights(nodes, workers),
    );
    await store.jobs.reshard(job.id, next);
    deps.log.info({ jobId: job.id, joined: joining.map((n) => n.nodeId) }, "workers joined: shards rebalanced");
    for (const s of next) if (s.nodeId !== undefined) jobEvents.job(job.id, { kind: "worker", nodeId: s.nodeId });
    notifyWorkers(next.flatMap((s) => (s.nodeId === undefined ? [] : [s.nodeId])));
  }

  /** Grants escrowed keys; the workers still waiting for the owner's grant. */
  async function ensureGrants(job: JobRecord, data: JobDataset, shards: readonly ShardRecord[]): Promise<number> {
    if (!data.version.encrypted) return 0;
    const granted = new Set((await store.jobs.keyGrants(job.id)).map((g) => `${g.nodeId}/${g.shard}`));
    const missing = shards.filter((s) => s.nodeId !== undefined && !granted.has(`${s.nodeId}/${s.shard}`));
    if (missing.length === 0) return 0;
    const key = await escrowedDatasetKey(deps, data.version);
    if (key === undefined) return missing.length;
    try {
      const nodes = new Map((await store.nodePool.many(missing.map((s) => s.nodeId!))).map((n) => [n.nodeId, n]));
      for (const s of missing) {
        const node = nodes.get(s.nodeId!);
        if (node === undefined) continue;
        const grant = await grantChunkKeys(
          deps.primitives,
          key,
          data.manifest.cipher!,
          s.chunkIndices,
          node.agreementPublicKey,
        );
        await store.jobs.putKeyGrant({
          jobId: job.id,
          nodeId: node.nodeId,
          shard: s.shard,
          grantData: toBinary(ChunkKeyGrantSchema, grant),
          madeBy: "gateway",
        });
        await store.audit.append({
          actor: "gateway",
          action: "job.grant",
          subject: `job:${job.id}`,
          detail: { node: node.nodeId, shard: s.shard, chunks: s.chunkIndices.length, madeBy: "gateway" },
        });
        jobEvents.node(node.nodeId);
      }
    } finally {
      key.fill(0);
    }
    return 0;
  }

  /**
   * Between rounds: when the workers' shares are far from their throughput (the slowest would
   * take RESIZE_MIN_GAIN× the time of a split in proportion to their samples per second), the
   * shards are rebalanced to it, moving the fewest samples, and the new shards' keys granted, so
   * the next round's assignments carry them (docs/compute.md "Shards sized by throughput"). Not
   * for keys only the owner can grant: that would stop the job for a new grant.
   */
  async function resizeToThroughput(job: JobRecord, data: JobDataset, plan: JobPlan): Promise<void> {
    if (!gatewayGrants(data.version)) return;
    const shards = await store.jobs.shards(job.id);
    if (shards.length < 2 || shards.some((s) => s.nodeId === undefined)) return;
    const holders = shards.map((s) => s.nodeId!);
    const workers = (await store.jobs.workers(job.id)).filter(isActive);
    const weights = throughputWeights(holders, workers, { requireAll: true });
    if (weights === undefined) return;
    const gain = resizeGain(shards, holders, weights);
    if (gain < RESIZE_MIN_GAIN) return;
    let next: NewShard[];
    try {
      next = rebalance(data.layout, plan, shards, holders, await columnsOf(data, plan), weights);
    } catch (e) {
      if (!isShardingError(e)) throw e;
      deps.log.warn({ jobId: job.id, err: e }, "cannot size the shards by throughput");
      return;
    }
    await store.jobs.reshard(job.id, next);
    deps.log.info(
      {
        jobId: job.id,
        gain: Number(gain.toFixed(2)),
        shards: next.map((s) => ({ node: s.nodeId, samples: s.samples })),
        samplesPerSecond: Object.fromEntries(holders.map((n, j) => [n, Math.round(weights[j]!)])),
      },
      "shards resized to the workers' throughput",
    );
    for (const n of holders) jobEvents.job(job.id, { kind: "worker", nodeId: n });
    await ensureGrants(job, data, await store.jobs.shards(job.id));
  }

  async function closeRound(
    job: JobRecord,
    data: JobDataset,
    plan: JobPlan,
    round: number,
    closedBy: "quorum" | "deadline",
    workers: readonly WorkerRecord[],
  ): Promise<void> {
    const before = await store.jobs.model(job.id, round - 1);
    if (before === undefined) throw new Error(`job ${job.id} has no model of round ${round - 1}`);
    const global = decodeUpdate(before);
    const updates = (await store.jobs.updates(job.id, round)).filter((u) => u.accepted && u.delta !== undefined);
    const result = aggregateRound(
      global,
      updates.map((u) => ({ nodeId: u.nodeId, delta: decodeUpdate(u.delta!), samples: u.samples })),
      plan.aggregation,
    );
    for (const r of result.refused) {
      deps.log.warn(
        { jobId: job.id, round, nodeId: r.nodeId, reason: r.reason },
        "update refused by aggregation: the worker leaves the job and its shard is reassigned",
      );
      await store.nodePool.adjustReputation(r.nodeId, REPUTATION_REJECTED);
      await store.jobs.removeWorker(job.id, r.nodeId, "rejected");
      jobEvents.job(job.id, { kind: "worker", nodeId: r.nodeId });
      jobEvents.node(r.nodeId);
    }
    const set = await evalSetFor(job, data, plan).catch((e: unknown) => {
      deps.log.error({ err: e, jobId: job.id }, "cannot read the evaluation split");
      return undefined;
    });
    const evaluation = set === undefined ? undefined : await evaluateWeights(plan, result.weights, set);
    const last = round >= plan.rounds;
    const closed = await store.jobs.closeRound({
      jobId: job.id,
      round,
      closedBy,
      weights: encodeUpdate(result.weights),
      refused: result.refused,
      evaluation,
      next: last ? undefined : { round: round + 1, deadline: new Date(Date.now() + plan.roundDeadlineSeconds * 1000) },
      finalState: last ? "succeeded" : undefined,
    });
    if (!closed) return;
    deps.log.info(
      { jobId: job.id, round, closedBy, used: result.used.length, evaluation },
      last ? "last round closed: job succeeded" : "round closed",
    );
    jobEvents.job(job.id, { kind: "round_closed", round });
    if (last) {
      evalSets.delete(job.id);
      jobEvents.job(job.id, { kind: "state" });
    } else await resizeToThroughput(job, data, plan);
    notifyWorkers(workers.filter(isActive).map((w) => w.nodeId));
  }

  /** One job's step: everything decided from what the database holds now. */
  async function step(jobId: string): Promise<void> {
    let job = await store.jobs.get(jobId);
    if (!["waiting_for_workers", "waiting_for_keys", "running"].includes(job.state)) return;
    let data: JobDataset;
    let plan: JobPlan;
    try {
      data = await jobDataset(deps, job);
      plan = planJob(specFromJson(job.spec), data.layout);
    } catch (e) {
      if (isStoreError(e) && e.code === "not_found") return fail(job, `the dataset ${job.datasetRef} is gone`);
      throw e;
    }
    let workers = await store.jobs.workers(job.id);
    if (await dropLostWorkers(job, workers)) workers = await store.jobs.workers(job.id);
    let shards = await store.jobs.shards(job.id);
    try {
      if (shards.length === 0) {
        if (!(await schedule(job, data, plan))) return;
      } else if ((await reassignOrphans(job, data, plan, shards, workers)) === "no_workers") {
        await setState(job, "waiting_for_workers", "no live worker: waiting for one to join");
        return;
      }
    } catch (e) {
      if (isShardingError(e)) return fail(job, `cannot shard the dataset: ${e.message}`);
      throw e;
    }
    shards = await store.jobs.shards(job.id);
    workers = await store.jobs.workers(job.id);
    if (job.state === "running") {
      try {
        await grow(job, data, plan, shards, workers);
      } catch (e) {
        if (!isShardingError(e)) throw e;
        deps.log.warn({ jobId: job.id, err: e }, "cannot spread the shards over more workers");
      }
      shards = await store.jobs.shards(job.id);
    }
    const waitingForKeys = await ensureGrants(job, data, shards);
    if (waitingForKeys > 0) {
      await setState(
        job,
        "waiting_for_keys",
        `waiting for the owner to grant chunk keys to ${waitingForKeys} worker(s)`,
      );
      return;
    }
    job = await store.jobs.get(job.id);
    const open = job.currentRound === 0 ? undefined : await store.jobs.round(job.id, job.currentRound);
    const deadline = () => new Date(Date.now() + plan.roundDeadlineSeconds * 1000);
    if (job.state !== "running") {
      // Starting, or resuming after a wait: the open round gets its full time again.
      if (open === undefined) await store.jobs.openRound(job.id, 1, deadline());
      else {
        await store.jobs.extendRound(job.id, open.round, deadline());
        await store.jobs.openRound(job.id, open.round, deadline());
      }
      jobEvents.job(job.id, { kind: "state" });
      notifyWorkers(shards.flatMap((s) => (s.nodeId === undefined ? [] : [s.nodeId])));
      return;
    }
    if (open === undefined || open.closedAt !== undefined) return;
    const active = workers.filter(isActive);
    const accepted = (await store.jobs.updates(job.id, open.round)).filter((u) => u.accepted);
    const needed = Math.ceil(plan.quorum * active.length);
    if (active.length > 0 && accepted.length >= needed) {
      await closeRound(job, data, plan, open.round, "quorum", workers);
      return;
    }
    if (open.deadline.getTime() <= Date.now()) {
      // Workers that missed the deadline leave the job; their shards are reassigned next step.
      const submitted = new Set((await store.jobs.updates(job.id, open.round)).map((u) => u.nodeId));
      for (const w of active) {
        if (submitted.has(w.nodeId)) continue;
        await store.jobs.removeWorker(job.id, w.nodeId, "lost");
        deps.log.info({ jobId: job.id, round: open.round, nodeId: w.nodeId }, "worker missed the round's deadline");
        jobEvents.job(job.id, { kind: "worker", nodeId: w.nodeId });
        jobEvents.node(w.nodeId);
      }
      await closeRound(job, data, plan, open.round, "deadline", workers);
    }
  }

  async function tickOnce(): Promise<void> {
    // Nodes silent for 3 heartbeats are marked lost by the liveness sweeper (nodes/node-liveness.ts),
    // which tells the engine; a job drops a silent worker itself too (dropLostWorkers).
    for (const job of await store.jobs.active()) {
      try {
        await step(job.id);
      } catch (e) {
        deps.log.error({ err: e, jobId: job.id }, "job step failed (retried next tick)");
      }
    }
  }

  const tick = (): Promise<void> => {
    if (running !== undefined) {
      again = true;
      return running;
    }
    running = (async () => {
      try {
        do {
          again = false;
          await tickOnce();
        } while (again);
      } finally {
        running = undefined;
      }
    })();
    return running;
  };

  const schedule_ = () => {
    if (stopped) return;
    timer = setTimeout(() => {
      void tick().finally(schedule_);
    }, tickMs);
  };

  return {
    start() {
      if (!stopped) return;
      stopped = false;
      offWake = jobEvents.onWake(() => {
        if (!stopped) void tick();
      });
      void tick().finally(schedule_);
    },
    async stop() {
      stopped = true;
      offWake();
      clearTimeout(timer);
      await running?.catch(() => undefined);
    },
    poke() {
      if (!stopped) void tick();
    },
    tick,
  };
}
