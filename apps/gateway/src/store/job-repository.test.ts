import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import type {} from "../../test-support/postgres-global-setup.js";
import { WORKER_STATES } from "./job-repository.js";
import { createMetadataStore, type MetadataStore } from "./metadata-store.js";
import { openPgliteDriver } from "./pglite-driver.js";
import { openPostgresDriver } from "./postgres-driver.js";
import type { SqlDriver } from "./sql-driver.js";

const dirs: string[] = [];
afterAll(async () => {
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

async function pglite(): Promise<SqlDriver> {
  const dir = await mkdtemp(join(tmpdir(), "cyxwiz-jobs-store-"));
  dirs.push(dir);
  return openPgliteDriver(join(dir, "pgdata"));
}

async function postgres(): Promise<SqlDriver> {
  const serverUrl = inject("postgresUrl");
  const name = `cyxwiz_jobs_${randomBytes(6).toString("hex")}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return openPostgresDriver(url.toString());
}

const nodeId = (i: number) => `node_${i.toString(16).padStart(32, "0")}`;

describe.each([
  { kind: "pglite", open: pglite },
  { kind: "postgres", open: postgres },
])("job repository on $kind", ({ open }) => {
  let driver: SqlDriver;
  let store: MetadataStore;
  beforeAll(async () => {
    driver = await open();
    store = await createMetadataStore(driver);
    await store.users.create({ username: "alice", passwordHash: "$scrypt$x" });
    for (const i of [1, 2, 3, 4, 5]) {
      await driver.query(
        `INSERT INTO nodes (node_id, signing_public_key, agreement_public_key, kind, cores, memory_bytes, backend,
           storage_bytes, state) VALUES ($1, $2, $3, 'daemon', 4, 1, 'wasm', 1, 'idle')`,
        [nodeId(i), new Uint8Array(32).fill(i), new Uint8Array(32).fill(i + 10)],
      );
    }
  });
  afterAll(async () => store?.close());
  /** A job of alice's on dataset 7 version 1. */
  const createJob = (id: string, rounds: number, initialWeights: Uint8Array) =>
    store.jobs.create({
      id,
      owner: "alice",
      datasetId: 7,
      version: 1,
      datasetRef: "d@v1",
      spec: { rounds },
      initialWeights,
    });

  it("assigns, records one update per worker, closes a round once and opens the next atomically, then ends the job", async () => {
    const id = `job_${"a".repeat(24)}`;
    await createJob(id, 2, new Uint8Array([1, 2, 3]));
    const shard = (s: number, node: string) => ({
      shard: s,
      chunkIndices: [s, s + 2],
      chunkFirstSamples: [s * 100, (s + 2) * 100],
      sampleRanges: [[s * 100, s * 100 + 50] as const],
      samples: 50,
      nodeId: node,
    });
    expect(await store.jobs.assign(id, [shard(0, nodeId(1)), shard(1, nodeId(2))], "waiting_for_workers", "")).toBe(
      true,
    );
    expect(await store.jobs.assign(id, [shard(0, nodeId(1))], "waiting_for_workers", "")).toBe(false);
    expect(await store.jobs.shards(id)).toEqual([
      { jobId: id, ...shard(0, nodeId(1)), sampleRanges: [[0, 50]] },
      { jobId: id, ...shard(1, nodeId(2)), sampleRanges: [[100, 150]] },
    ]);
    expect((await store.nodePool.get(nodeId(1)))?.state).toBe("busy");
    await store.jobs.openRound(id, 1, new Date(Date.now() + 60_000));
    expect((await store.jobs.get(id)).state).toBe("running");
    const update = {
      jobId: id,
      round: 1,
      nodeId: nodeId(1),
      samples: 50,
      delta: new Uint8Array([9]),
      accepted: true,
      reason: "",
      loss: 0.5,
      accuracy: Number.NaN,
      samplesPerSecond: 10,
      backend: "wasm",
    };
    expect(await store.jobs.recordUpdate(update)).toBe(true);
    expect(await store.jobs.recordUpdate(update)).toBe(false);
    const closing = {
      jobId: id,
      round: 1,
      closedBy: "quorum" as const,
      weights: new Uint8Array([4, 5, 6]),
      refused: [],
      evaluation: { loss: 0.4, accuracy: 0.9, samples: 20 },
      next: { round: 2, deadline: new Date(Date.now() + 60_000) },
    };
    expect(await store.jobs.closeRound(closing)).toBe(true);
    expect(await store.jobs.closeRound(closing)).toBe(false);
    const [r1, r2] = await store.jobs.rounds(id);
    expect(r1).toMatchObject({ closedBy: "quorum", updatesAccepted: 1, evalAccuracy: 0.9, evalSamples: 20 });
    expect(r2).toMatchObject({ round: 2, closedAt: undefined });
    expect((await store.jobs.get(id)).currentRound).toBe(2);
    expect(await store.jobs.model(id, 1)).toEqual(new Uint8Array([4, 5, 6]));
    expect((await store.jobs.updates(id, 1))[0]).toMatchObject({
      delta: undefined,
      accepted: true,
      accuracy: undefined,
    });
    expect((await store.jobs.workers(id)).find((w) => w.nodeId === nodeId(1))).toMatchObject({
      backend: "wasm",
      localSamples: 50,
      localLoss: 0.5,
    });

    // A cancelled job is not closed or advanced by a late close.
    expect(await store.jobs.finish(id, "cancelled", "stop")).toBe(true);
    expect(await store.jobs.closeRound({ ...closing, round: 2, next: undefined })).toBe(false);
    expect((await store.jobs.get(id)).state).toBe("cancelled");
    expect((await store.nodePool.get(nodeId(2)))?.state).toBe("idle");
    expect(await store.jobs.finish(id, "failed", "late")).toBe(false);
    expect((await store.jobs.latestModel(id)).round).toBe(1);
  });

  it("ends a job with its active workers done and their nodes idle; workers taken out keep lost or rejected", async () => {
    const id = `job_${"b".repeat(24)}`;
    await createJob(id, 1, new Uint8Array([1]));
    const nodes = [nodeId(3), nodeId(4), nodeId(5)];
    const shards = nodes.map((node, s) => ({
      shard: s,
      chunkIndices: [s],
      chunkFirstSamples: [s * 10],
      sampleRanges: [[s * 10, s * 10 + 10] as const],
      samples: 10,
      nodeId: node,
    }));
    expect(await store.jobs.assign(id, shards, "waiting_for_workers", "")).toBe(true);
    await store.jobs.openRound(id, 1, new Date(Date.now() + 60_000));
    await store.jobs.setWorkerState(id, nodeId(3), "training");
    // node 4 sent an update the gateway rejected; node 5 went silent (the sweeper marked it lost).
    await store.jobs.removeWorker(id, nodeId(4), "rejected");
    await driver.query("UPDATE nodes SET state = 'lost' WHERE node_id = $1", [nodeId(5)]);
    await store.jobs.removeWorker(id, nodeId(5), "lost");
    expect((await store.nodePool.get(nodeId(3)))?.state).toBe("busy");
    expect((await store.nodePool.get(nodeId(4)))?.state).toBe("idle");

    expect(await store.jobs.finish(id, "succeeded", "")).toBe(true);
    const states = async () => new Map((await store.jobs.workers(id)).map((w) => [w.nodeId, w.state]));
    expect(await states()).toEqual(
      new Map([
        [nodeId(3), "done"],
        [nodeId(4), "rejected"],
        [nodeId(5), "lost"],
      ]),
    );
    expect((await store.nodePool.many(nodes)).map((n) => [n.nodeId, n.state]).sort()).toEqual([
      [nodeId(3), "idle"],
      [nodeId(4), "idle"],
      [nodeId(5), "lost"],
    ]);
    // A done worker is out of the job: no state change reaches it, and its node is in no job.
    await store.jobs.setWorkerState(id, nodeId(3), "fetching");
    expect((await states()).get(nodeId(3))).toBe("done");
    expect(await store.jobs.activeWorkerOf(nodeId(3))).toBeUndefined();
  });

  it("stores exactly the worker states the repository names (the job_workers state CHECK)", async () => {
    const { rows } = await driver.query<{ def: string }>(
      `SELECT pg_get_constraintdef(c.oid) AS def FROM pg_constraint c JOIN pg_class t ON t.oid = c.conrelid
        WHERE t.relname = 'job_workers' AND c.conname = 'job_workers_state_check'`,
    );
    expect(rows).toHaveLength(1);
    expect([...rows[0]!.def.matchAll(/'([^']*)'::text/g)].map((m) => m[1])).toEqual([...WORKER_STATES]);
  });
});
