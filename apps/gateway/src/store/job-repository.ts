import type { SqlDriver, SqlQueryable } from "./sql-driver.js";
import { bytes, date, num, optionalBytes, type Row } from "./sql-values.js";
import { StoreError } from "./store-error.js";

// The compute plane's jobs as migrations/0005_compute.sql keeps them (docs/compute.md): jobs,
// their shards and workers, rounds, the updates workers send, the global model of each round and
// the chunk-key grants made for workers. Every state that changes together changes in one
// transaction, so a gateway stopped at any point restarts from a consistent database.

/** A job's states, as stored. */
export const JOB_STATES = [
  "waiting_for_workers",
  "waiting_for_keys",
  "running",
  "succeeded",
  "failed",
  "cancelled",
] as const;
export type JobStateName = (typeof JOB_STATES)[number];
/** States a job never leaves. */
export const FINISHED_JOB_STATES: ReadonlySet<JobStateName> = new Set(["succeeded", "failed", "cancelled"]);

/**
 * A worker's states in a job, as stored (docs/compute.md "Worker states"): the first four while
 * it takes part; `lost` (silent, or missed a deadline), `left` (its node left) and `rejected`
 * (its update was rejected) once taken out; `done` when the job ended with it still in.
 */
export const WORKER_STATES = [
  "assigned",
  "fetching",
  "training",
  "submitted",
  "lost",
  "left",
  "rejected",
  "done",
] as const;
export type WorkerStateName = (typeof WORKER_STATES)[number];
/** The worker states of a worker still taking part in its job. */
export const ACTIVE_WORKER_STATES: readonly WorkerStateName[] = ["assigned", "fetching", "training", "submitted"];
/** The worker states of a worker still in its job (SQL list). */
export const ACTIVE_WORKERS_SQL = "('assigned', 'fetching', 'training', 'submitted')";
/** The states of a job not finished (SQL list). */
export const ACTIVE_JOBS_SQL = "('waiting_for_workers', 'waiting_for_keys', 'running')";

export interface JobRecord {
  readonly id: string;
  readonly owner: string;
  readonly datasetId: number;
  readonly version: number;
  readonly datasetRef: string;
  /** The JobSpec as protobuf JSON. */
  readonly spec: unknown;
  readonly state: JobStateName;
  readonly reason: string;
  readonly currentRound: number;
  readonly createdAt: Date;
  readonly updatedAt: Date;
}

/** A half-open run of dataset-wide sample indices. */
export type SampleRange = readonly [start: number, end: number];

export interface ShardRecord {
  readonly jobId: string;
  readonly shard: number;
  readonly chunkIndices: readonly number[];
  readonly chunkFirstSamples: readonly number[];
  readonly sampleRanges: readonly SampleRange[];
  readonly samples: number;
  readonly nodeId: string | undefined;
}

export type NewShard = Omit<ShardRecord, "jobId">;

/** A node's samples per second in an earlier job, with that job's stored spec (protobuf JSON). */
export interface PastSpeed {
  readonly nodeId: string;
  readonly samplesPerSecond: number;
  readonly spec: unknown;
}

export interface WorkerRecord {
  readonly jobId: string;
  readonly nodeId: string;
  readonly shard: number;
  readonly state: WorkerStateName;
  readonly backend: string;
  readonly samplesPerSecond: number;
  readonly localLoss: number | undefined;
  readonly localAccuracy: number | undefined;
  readonly localSamples: number;
  readonly erased: boolean;
  readonly assignedAt: Date;
}

export interface RoundRecord {
  readonly jobId: string;
  readonly round: number;
  readonly startedAt: Date;
  readonly deadline: Date;
  readonly closedAt: Date | undefined;
  readonly closedBy: "quorum" | "deadline" | undefined;
  readonly updatesAccepted: number;
  readonly updatesRejected: number;
  readonly evalLoss: number | undefined;
  readonly evalAccuracy: number | undefined;
  readonly evalSamples: number | undefined;
}

export interface UpdateRecord {
  readonly jobId: string;
  readonly round: number;
  readonly nodeId: string;
  readonly samples: number;
  /** The encoded delta; undefined once aggregated, or when rejected on arrival. */
  readonly delta: Uint8Array | undefined;
  readonly accepted: boolean;
  readonly reason: string;
  readonly loss: number | undefined;
  readonly accuracy: number | undefined;
  readonly receivedAt: Date;
}

export interface KeyGrantRecord {
  readonly jobId: string;
  readonly nodeId: string;
  readonly shard: number;
  /** A serialized ChunkKeyGrant. */
  readonly grantData: Uint8Array;
  readonly madeBy: "gateway" | "owner";
}

export interface NewJob {
  readonly id: string;
  readonly owner: string;
  readonly datasetId: number;
  readonly version: number;
  readonly datasetRef: string;
  readonly spec: unknown;
  /** The initial global weights (round 0), encoded. */
  readonly initialWeights: Uint8Array;
}

/** What closing a round writes, all at once. */
export interface RoundClosing {
  readonly jobId: string;
  readonly round: number;
  readonly closedBy: "quorum" | "deadline";
  /** The new global weights, encoded; stored as job_models[round]. */
  readonly weights: Uint8Array;
  /** Updates accepted on arrival but refused by the aggregation (an outlying norm, Krum). */
  readonly refused: readonly { readonly nodeId: string; readonly reason: string }[];
  readonly evaluation?: { readonly loss: number; readonly accuracy: number; readonly samples: number } | undefined;
  /** Open this round next with this deadline; absent: the job ends (`finalState`). */
  readonly next?: { readonly round: number; readonly deadline: Date } | undefined;
  readonly finalState?: JobStateName | undefined;
}

/** A worker's update as received. */
export interface NewUpdate {
  readonly jobId: string;
  readonly round: number;
  readonly nodeId: string;
  readonly samples: number;
  readonly delta: Uint8Array | undefined;
  readonly accepted: boolean;
  readonly reason: string;
  readonly loss: number | undefined;
  readonly accuracy: number | undefined;
  readonly samplesPerSecond: number;
  readonly backend: string;
}

/** Jobs and everything about them (docs/compute.md). */
export interface JobRepository {
  /** Creates a job in `waiting_for_workers` with its round-0 model. @throws StoreError `not_found` (owner). */
  create(job: NewJob): Promise<JobRecord>;
  /** @throws StoreError `not_found`. */
  get(id: string): Promise<JobRecord>;
  /** One owner's jobs, newest first. */
  list(owner: string): Promise<JobRecord[]>;
  /** Jobs not finished (waiting or running), oldest first. */
  active(): Promise<JobRecord[]>;
  /** Sets the state and reason; a finished job keeps its state (returns false). */
  setState(id: string, state: JobStateName, reason: string): Promise<boolean>;
  shards(jobId: string): Promise<ShardRecord[]>;
  workers(jobId: string): Promise<WorkerRecord[]>;
  rounds(jobId: string): Promise<RoundRecord[]>;
  round(jobId: string, round: number): Promise<RoundRecord | undefined>;
  updates(jobId: string, round: number): Promise<UpdateRecord[]>;
  /** The weights published for `round`, or undefined. */
  model(jobId: string, round: number): Promise<Uint8Array | undefined>;
  /** The newest published weights and their round. */
  latestModel(jobId: string): Promise<{ round: number; weights: Uint8Array }>;
  keyGrants(jobId: string): Promise<KeyGrantRecord[]>;
  /**
   * Creates the job's shards and assigns one to each node, marks those nodes busy and moves the
   * job to `state`, at once. Refuses (returns false, nothing written) when the job already has
   * shards or a node is no longer idle.
   */
  assign(jobId: string, shards: readonly NewShard[], state: JobStateName, reason: string): Promise<boolean>;
  /** Stores a grant (replacing one for the same worker and shard). */
  putKeyGrant(grant: KeyGrantRecord): Promise<void>;
  /** Opens round `round` (the job runs): its row, the job's current round, and the workers back to `assigned`. */
  openRound(jobId: string, round: number, deadline: Date): Promise<void>;
  /** Moves an open round's deadline (a job that waited for workers or keys gets its time back). */
  extendRound(jobId: string, round: number, deadline: Date): Promise<void>;
  /** Records an update once per worker and round; false when one is already recorded. */
  recordUpdate(update: NewUpdate): Promise<boolean>;
  /** Closes a round and opens the next (or ends the job), atomically; false when it was closed already or the job ended. */
  closeRound(closing: RoundClosing): Promise<boolean>;
  /**
   * Takes a worker out of its job (`lost`, `left` or `rejected`), frees its shard and its node
   * (idle unless lost or left itself), and drops its grants.
   */
  removeWorker(jobId: string, nodeId: string, state: "lost" | "left" | "rejected"): Promise<void>;
  /**
   * Replaces the shards of a job (a reassignment or a rebalance) and assigns them: new shard
   * rows, new workers (the nodes marked busy), grants of changed shards dropped.
   */
  reshard(jobId: string, shards: readonly NewShard[]): Promise<void>;
  /**
   * Ends a job: its state, its active workers' nodes back to idle and those workers `done`.
   * False when already finished.
   */
  finish(jobId: string, state: JobStateName, reason: string): Promise<boolean>;
  /** The active worker row of a node in an active job, if any (a node is in one job at a time). */
  activeWorkerOf(nodeId: string): Promise<WorkerRecord | undefined>;
  /** Sets a worker's state (fetching, training) unless it is out of the job or the job ended. */
  setWorkerState(jobId: string, nodeId: string, state: WorkerStateName): Promise<void>;
  /** The datasets row id of owner/name (jobs refer to a version by it). @throws StoreError `not_found`. */
  datasetId(owner: string, name: string): Promise<number>;
  /**
   * The nodes' samples per second in jobs other than `exceptJob` (those reported), with each job's
   * spec, newest assignment first: round 1's shares (jobs/throughput-shares.ts rememberedSpeeds).
   */
  pastSpeeds(nodeIds: readonly string[], exceptJob: string): Promise<PastSpeed[]>;
  /** Whether `nodeId` trained on this dataset version in an earlier job (locality). */
  heldDataset(nodeIds: readonly string[], datasetId: number, version: number): Promise<Set<string>>;
}

const optionalNum = (v: unknown) => (v === null || v === undefined ? undefined : num(v));

function toJob(r: Row): JobRecord {
  return {
    id: String(r.id),
    owner: String(r.owner),
    datasetId: num(r.dataset_id),
    version: num(r.version),
    datasetRef: String(r.dataset_ref),
    spec: r.spec,
    state: r.state as JobStateName,
    reason: String(r.reason),
    currentRound: num(r.current_round),
    createdAt: date(r.created_at),
    updatedAt: date(r.updated_at),
  };
}

function toShard(r: Row): ShardRecord {
  return {
    jobId: String(r.job_id),
    shard: num(r.shard),
    chunkIndices: (r.chunk_indices as unknown[]).map(num),
    chunkFirstSamples: (r.chunk_first_samples as unknown[]).map(num),
    sampleRanges: (r.sample_ranges as [number, number][]).map(([s, e]) => [num(s), num(e)] as const),
    samples: num(r.samples),
    nodeId: r.node_id === null || r.node_id === undefined ? undefined : String(r.node_id),
  };
}

function toWorker(r: Row): WorkerRecord {
  return {
    jobId: String(r.job_id),
    nodeId: String(r.node_id),
    shard: num(r.shard),
    state: r.state as WorkerStateName,
    backend: String(r.backend),
    samplesPerSecond: num(r.samples_per_second),
    localLoss: optionalNum(r.local_loss),
    localAccuracy: optionalNum(r.local_accuracy),
    localSamples: num(r.local_samples),
    erased: r.erased === true,
    assignedAt: date(r.assigned_at),
  };
}

function toRound(r: Row): RoundRecord {
  return {
    jobId: String(r.job_id),
    round: num(r.round),
    startedAt: date(r.started_at),
    deadline: date(r.deadline),
    closedAt: r.closed_at === null || r.closed_at === undefined ? undefined : date(r.closed_at),
    closedBy: (r.closed_by ?? undefined) as RoundRecord["closedBy"],
    updatesAccepted: num(r.updates_accepted),
    updatesRejected: num(r.updates_rejected),
    evalLoss: optionalNum(r.eval_loss),
    evalAccuracy: optionalNum(r.eval_accuracy),
    evalSamples: optionalNum(r.eval_samples),
  };
}

function toUpdate(r: Row): UpdateRecord {
  return {
    jobId: String(r.job_id),
    round: num(r.round),
    nodeId: String(r.node_id),
    samples: num(r.samples),
    delta: optionalBytes(r.delta),
    accepted: r.accepted === true,
    reason: String(r.reason),
    loss: optionalNum(r.loss),
    accuracy: optionalNum(r.accuracy),
    receivedAt: date(r.received_at),
  };
}

/** Finite numbers only: NaN or ±Inf metrics from a worker are kept as unknown. */
const finiteOrNull = (v: number | undefined) => (v === undefined || !Number.isFinite(v) ? null : v);

async function insertShards(tx: SqlQueryable, jobId: string, shards: readonly NewShard[]): Promise<void> {
  for (const s of shards) {
    await tx.query(
      `INSERT INTO job_shards (job_id, shard, chunk_indices, chunk_first_samples, sample_ranges, samples, node_id)
       VALUES ($1, $2, $3::integer[], $4::bigint[], $5::text::jsonb, $6, $7)`,
      [
        jobId,
        s.shard,
        s.chunkIndices.map(String),
        s.chunkFirstSamples.map(String),
        JSON.stringify(s.sampleRanges),
        s.samples,
        s.nodeId ?? null,
      ],
    );
  }
}

/** Workers for the shards that name a node: new rows, or a returning node's row made active again. */
async function assignShards(tx: SqlQueryable, jobId: string, shards: readonly NewShard[]): Promise<void> {
  for (const s of shards) {
    if (s.nodeId === undefined) continue;
    await tx.query(
      `INSERT INTO job_workers (job_id, node_id, shard, state) VALUES ($1, $2, $3, 'assigned')
       ON CONFLICT (job_id, node_id) DO UPDATE SET shard = EXCLUDED.shard, state = 'assigned', erased = false,
         assigned_at = now()`,
      [jobId, s.nodeId, s.shard],
    );
    await tx.query("UPDATE nodes SET state = 'busy' WHERE node_id = $1 AND state IN ('idle', 'busy')", [s.nodeId]);
  }
}

/** The job repository over `db`. */
export function createJobRepository(db: SqlDriver): JobRepository {
  const getJob = async (q: SqlQueryable, id: string, lock = false) => {
    const { rows } = await q.query(`SELECT * FROM jobs WHERE id = $1${lock ? " FOR UPDATE" : ""}`, [id]);
    if (rows[0] === undefined) throw new StoreError("not_found", `job ${id} not found`);
    return toJob(rows[0]);
  };

  return {
    async create(job) {
      return db.transaction(async (tx) => {
        try {
          await tx.query(
            `INSERT INTO jobs (id, owner, dataset_id, version, dataset_ref, spec, state)
             VALUES ($1, $2, $3, $4, $5, $6::text::jsonb, 'waiting_for_workers')`,
            [job.id, job.owner, job.datasetId, job.version, job.datasetRef, JSON.stringify(job.spec)],
          );
        } catch (e) {
          if ((e as { code?: string }).code === "23503")
            throw new StoreError("not_found", `user ${job.owner} not found`);
          throw e;
        }
        await tx.query("INSERT INTO job_models (job_id, round, weights) VALUES ($1, 0, $2)", [
          job.id,
          job.initialWeights,
        ]);
        return getJob(tx, job.id);
      });
    },

    get: (id) => getJob(db, id),

    async list(owner) {
      const { rows } = await db.query("SELECT * FROM jobs WHERE owner = $1 ORDER BY created_at DESC, id DESC", [owner]);
      return rows.map(toJob);
    },

    async active() {
      const { rows } = await db.query(`SELECT * FROM jobs WHERE state IN ${ACTIVE_JOBS_SQL} ORDER BY created_at, id`);
      return rows.map(toJob);
    },

    async setState(id, state, reason) {
      const { rowCount } = await db.query(
        `UPDATE jobs SET state = $2, reason = $3, updated_at = now()
         WHERE id = $1 AND state IN ${ACTIVE_JOBS_SQL} AND (state <> $2 OR reason <> $3)`,
        [id, state, reason],
      );
      return rowCount > 0;
    },

    async shards(jobId) {
      const { rows } = await db.query("SELECT * FROM job_shards WHERE job_id = $1 ORDER BY shard", [jobId]);
      return rows.map(toShard);
    },

    async workers(jobId) {
      const { rows } = await db.query("SELECT * FROM job_workers WHERE job_id = $1 ORDER BY shard, assigned_at", [
        jobId,
      ]);
      return rows.map(toWorker);
    },

    async rounds(jobId) {
      const { rows } = await db.query("SELECT * FROM job_rounds WHERE job_id = $1 ORDER BY round", [jobId]);
      return rows.map(toRound);
    },

    async round(jobId, round) {
      const { rows } = await db.query("SELECT * FROM job_rounds WHERE job_id = $1 AND round = $2", [jobId, round]);
      return rows[0] === undefined ? undefined : toRound(rows[0]);
    },

    async updates(jobId, round) {
      const { rows } = await db.query(
        "SELECT * FROM job_updates WHERE job_id = $1 AND round = $2 ORDER BY received_at, node_id",
        [jobId, round],
      );
      return rows.map(toUpdate);
    },

    async model(jobId, round) {
      const { rows } = await db.query("SELECT weights FROM job_models WHERE job_id = $1 AND round = $2", [
        jobId,
        round,
      ]);
      return rows[0] === undefined ? undefined : bytes(rows[0].weights);
    },

    async latestModel(jobId) {
      const { rows } = await db.query(
        "SELECT round, weights FROM job_models WHERE job_id = $1 ORDER BY round DESC LIMIT 1",
        [jobId],
      );
      if (rows[0] === undefined) throw new StoreError("not_found", `job ${jobId} has no model`);
      return { round: num(rows[0].round), weights: bytes(rows[0].weights) };
    },

    async keyGrants(jobId) {
      const { rows } = await db.query("SELECT * FROM job_key_grants WHERE job_id = $1 ORDER BY shard, node_id", [
        jobId,
      ]);
      return rows.map((r) => ({
        jobId: String(r.job_id),
        nodeId: String(r.node_id),
        shard: num(r.shard),
        grantData: bytes(r.grant_data),
        madeBy: r.made_by as KeyGrantRecord["madeBy"],
      }));
    },

    async assign(jobId, shards, state, reason) {
      return db.transaction(async (tx) => {
        const job = await getJob(tx, jobId, true);
        if (job.state !== "waiting_for_workers") return false;
        const existing = await tx.query("SELECT 1 FROM job_shards WHERE job_id = $1 LIMIT 1", [jobId]);
        if (existing.rows.length > 0) return false;
        const nodeIds = shards.flatMap((s) => (s.nodeId === undefined ? [] : [s.nodeId]));
        const { rows } = await tx.query(
          "SELECT node_id FROM nodes WHERE node_id = ANY($1::text[]) AND state = 'idle' FOR UPDATE",
          [nodeIds],
        );
        if (rows.length !== nodeIds.length) return false;
        await insertShards(tx, jobId, shards);
        await assignShards(tx, jobId, shards);
        await tx.query("UPDATE jobs SET state = $2, reason = $3, updated_at = now() WHERE id = $1", [
          jobId,
          state,
          reason,
        ]);
        return true;
      });
    },

    async putKeyGrant(g) {
      await db.query(
        `INSERT INTO job_key_grants (job_id, node_id, shard, grant_data, made_by) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (job_id, node_id, shard) DO UPDATE SET grant_data = EXCLUDED.grant_data,
           made_by = EXCLUDED.made_by, created_at = now()`,
        [g.jobId, g.nodeId, g.shard, g.grantData, g.madeBy],
      );
    },

    async openRound(jobId, round, deadline) {
      await db.transaction(async (tx) => {
        await tx.query("INSERT INTO job_rounds (job_id, round, deadline) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING", [
          jobId,
          round,
          deadline,
        ]);
        await tx.query(
          `UPDATE jobs SET state = 'running', reason = '', current_round = $2, updated_at = now()
           WHERE id = $1 AND state IN ${ACTIVE_JOBS_SQL}`,
          [jobId, round],
        );
        await tx.query(
          `UPDATE job_workers SET state = 'assigned' WHERE job_id = $1 AND state IN ${ACTIVE_WORKERS_SQL}`,
          [jobId],
        );
      });
    },

    async extendRound(jobId, round, deadline) {
      await db.query("UPDATE job_rounds SET deadline = $3 WHERE job_id = $1 AND round = $2 AND closed_at IS NULL", [
        jobId,
        round,
        deadline,
      ]);
    },

    async recordUpdate(u) {
      return db.transaction(async (tx) => {
        const { rowCount } = await tx.query(
          `INSERT INTO job_updates (job_id, round, node_id, samples, delta, accepted, reason, loss, accuracy)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT DO NOTHING`,
          [
            u.jobId,
            u.round,
            u.nodeId,
            u.samples,
            u.delta ?? null,
            u.accepted,
            u.reason,
            finiteOrNull(u.loss),
            finiteOrNull(u.accuracy),
          ],
        );
        if (rowCount === 0) return false;
        await tx.query(
          `UPDATE job_rounds SET updates_accepted = updates_accepted + $3, updates_rejected = updates_rejected + $4
           WHERE job_id = $1 AND round = $2`,
          [u.jobId, u.round, u.accepted ? 1 : 0, u.accepted ? 0 : 1],
        );
        await tx.query(
          `UPDATE job_workers SET state = 'submitted', backend = $3, samples_per_second = $4,
             local_loss = coalesce($5, local_loss), local_accuracy = coalesce($6, local_accuracy),
             local_samples = local_samples + $7
           WHERE job_id = $1 AND node_id = $2 AND state IN ${ACTIVE_WORKERS_SQL}`,
          [
            u.jobId,
            u.nodeId,
            u.backend,
            Number.isFinite(u.samplesPerSecond) && u.samplesPerSecond >= 0 ? u.samplesPerSecond : 0,
            finiteOrNull(u.loss),
            finiteOrNull(u.accuracy),
            u.samples,
          ],
        );
        return true;
      });
    },

    async closeRound(c) {
      return db.transaction(async (tx) => {
        // A job cancelled (or failed) meanwhile keeps its state: nothing is closed or opened.
        const job = await getJob(tx, c.jobId, true);
        if (FINISHED_JOB_STATES.has(job.state)) return false;
        const { rowCount } = await tx.query(
          `UPDATE job_rounds SET closed_at = now(), closed_by = $3, eval_loss = $4, eval_accuracy = $5, eval_samples = $6,
             updates_accepted = updates_accepted - $7, updates_rejected = updates_rejected + $7
           WHERE job_id = $1 AND round = $2 AND closed_at IS NULL`,
          [
            c.jobId,
            c.round,
            c.closedBy,
            finiteOrNull(c.evaluation?.loss),
            finiteOrNull(c.evaluation?.accuracy),
            c.evaluation?.samples ?? null,
            c.refused.length,
          ],
        );
        if (rowCount === 0) return false;
        for (const r of c.refused) {
          await tx.query(
            "UPDATE job_updates SET accepted = false, reason = $4 WHERE job_id = $1 AND round = $2 AND node_id = $3",
            [c.jobId, c.round, r.nodeId, r.reason],
          );
        }
        // The deltas are folded into the model: drop them (the table keeps each update's verdict).
        await tx.query("UPDATE job_updates SET delta = NULL WHERE job_id = $1 AND round = $2", [c.jobId, c.round]);
        await tx.query(
          "INSERT INTO job_models (job_id, round, weights) VALUES ($1, $2, $3) ON CONFLICT (job_id, round) DO UPDATE SET weights = EXCLUDED.weights",
          [c.jobId, c.round, c.weights],
        );
        if (c.next !== undefined) {
          await tx.query("INSERT INTO job_rounds (job_id, round, deadline) VALUES ($1, $2, $3)", [
            c.jobId,
            c.next.round,
            c.next.deadline,
          ]);
          await tx.query("UPDATE jobs SET current_round = $2, updated_at = now() WHERE id = $1", [
            c.jobId,
            c.next.round,
          ]);
          await tx.query(
            `UPDATE job_workers SET state = 'assigned' WHERE job_id = $1 AND state IN ${ACTIVE_WORKERS_SQL}`,
            [c.jobId],
          );
        } else {
          await endJob(tx, c.jobId, c.finalState ?? "succeeded", "");
        }
        return true;
      });
    },

    async removeWorker(jobId, nodeId, state) {
      await db.transaction(async (tx) => {
        const { rowCount } = await tx.query(
          `UPDATE job_workers SET state = $3 WHERE job_id = $1 AND node_id = $2 AND state IN ${ACTIVE_WORKERS_SQL}`,
          [jobId, nodeId, state],
        );
        if (rowCount === 0) return;
        await tx.query("UPDATE job_shards SET node_id = NULL WHERE job_id = $1 AND node_id = $2", [jobId, nodeId]);
        await tx.query("DELETE FROM job_key_grants WHERE job_id = $1 AND node_id = $2", [jobId, nodeId]);
        await tx.query("UPDATE nodes SET state = 'idle' WHERE node_id = $1 AND state = 'busy'", [nodeId]);
      });
    },

    async reshard(jobId, shards) {
      await db.transaction(async (tx) => {
        if (FINISHED_JOB_STATES.has((await getJob(tx, jobId, true)).state)) return;
        const before = (await tx.query("SELECT * FROM job_shards WHERE job_id = $1", [jobId])).rows.map(toShard);
        const same = (a: ShardRecord, b: NewShard) =>
          a.nodeId === b.nodeId && JSON.stringify(a.sampleRanges) === JSON.stringify(b.sampleRanges);
        for (const old of before) {
          const now = shards.find((s) => s.shard === old.shard);
          if (now === undefined || !same(old, now)) {
            await tx.query("DELETE FROM job_key_grants WHERE job_id = $1 AND shard = $2", [jobId, old.shard]);
          }
        }
        await tx.query("DELETE FROM job_shards WHERE job_id = $1", [jobId]);
        await insertShards(tx, jobId, shards);
        await assignShards(tx, jobId, shards);
      });
    },

    async finish(jobId, state, reason) {
      return db.transaction(async (tx) => {
        const job = await getJob(tx, jobId, true);
        if (FINISHED_JOB_STATES.has(job.state)) return false;
        await endJob(tx, jobId, state, reason);
        return true;
      });
    },

    async activeWorkerOf(nodeId) {
      const { rows } = await db.query(
        `SELECT w.* FROM job_workers w JOIN jobs j ON j.id = w.job_id
         WHERE w.node_id = $1 AND w.state IN ${ACTIVE_WORKERS_SQL} AND j.state IN ${ACTIVE_JOBS_SQL}
         ORDER BY w.assigned_at DESC LIMIT 1`,
        [nodeId],
      );
      return rows[0] === undefined ? undefined : toWorker(rows[0]);
    },

    async setWorkerState(jobId, nodeId, state) {
      await db.query(
        `UPDATE job_workers SET state = $3 WHERE job_id = $1 AND node_id = $2 AND state IN ${ACTIVE_WORKERS_SQL}`,
        [jobId, nodeId, state],
      );
    },

    async datasetId(owner, name) {
      const { rows } = await db.query("SELECT id FROM datasets WHERE owner = $1 AND name = $2", [owner, name]);
      if (rows[0] === undefined) throw new StoreError("not_found", `dataset ${owner}/${name} not found`);
      return num(rows[0].id);
    },

    async pastSpeeds(nodeIds, exceptJob) {
      const { rows } = await db.query(
        `SELECT w.node_id, w.samples_per_second, j.spec FROM job_workers w JOIN jobs j ON j.id = w.job_id
         WHERE w.node_id = ANY($1::text[]) AND w.job_id <> $2 AND w.samples_per_second > 0
         ORDER BY w.assigned_at DESC LIMIT 500`,
        [[...nodeIds], exceptJob],
      );
      return rows.map((r) => ({
        nodeId: String(r.node_id),
        samplesPerSecond: num(r.samples_per_second),
        spec: r.spec,
      }));
    },

    async heldDataset(nodeIds, datasetId, version) {
      const { rows } = await db.query(
        `SELECT DISTINCT w.node_id FROM job_workers w JOIN jobs j ON j.id = w.job_id
         WHERE w.node_id = ANY($1::text[]) AND j.dataset_id = $2 AND j.version = $3`,
        [[...nodeIds], datasetId, version],
      );
      return new Set(rows.map((r) => String(r.node_id)));
    },
  };
}

/**
 * A job's end: its state, its active workers' nodes back to idle, then those workers `done`
 * (found by their active state, so the nodes go first). Workers already out of the job keep
 * `lost`, `left` or `rejected`.
 */
async function endJob(tx: SqlQueryable, jobId: string, state: JobStateName, reason: string): Promise<void> {
  await tx.query("UPDATE jobs SET state = $2, reason = $3, updated_at = now() WHERE id = $1", [jobId, state, reason]);
  await tx.query(
    `UPDATE nodes SET state = 'idle' WHERE state = 'busy' AND node_id IN
       (SELECT node_id FROM job_workers WHERE job_id = $1 AND state IN ${ACTIVE_WORKERS_SQL})`,
    [jobId],
  );
  await tx.query(`UPDATE job_workers SET state = 'done' WHERE job_id = $1 AND state IN ${ACTIVE_WORKERS_SQL}`, [jobId]);
}
