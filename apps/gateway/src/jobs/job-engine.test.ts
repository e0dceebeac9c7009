import { fromBinary } from "@bufbuild/protobuf";
import { Code, ConnectError } from "@connectrpc/connect";
import { grantChunkKeys, openGrant } from "@cyxwiz/protocol/crypto";
import {
  type Assignment,
  DataClassification,
  DatasetManifestSchema,
  JobState,
  RoundClose,
  WorkerState,
} from "@cyxwiz/protocol/gen";
import { jobStateName, policyFor, workerStateName } from "@cyxwiz/protocol/vocab";
import { decodeUpdate } from "@cyxwiz/training";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type JobWorld, openJobWorld, type TestNode, testSpec } from "../../test-support/job-world.js";

let world: JobWorld;
let ref: string;

beforeAll(async () => {
  world = await openJobWorld();
  await world.addUser("alice");
  await world.addUser("bob");
  ({ ref } = await world.dataset({ owner: "alice", name: "points", samples: 400 }));
});
afterAll(async () => {
  await world.close();
  await world.remove();
});
// Each test starts with no running job and no idle node of an earlier test.
beforeEach(async () => {
  await world.sql(
    "UPDATE jobs SET state = 'cancelled' WHERE state IN ('waiting_for_workers', 'waiting_for_keys', 'running')",
  );
  await world.sql("UPDATE nodes SET state = 'left'");
});

const refusal = (p: Promise<unknown>) =>
  p.then(
    () => "ok",
    (e: unknown) => `${Code[ConnectError.from(e).code]}: ${ConnectError.from(e).rawMessage}`,
  );

async function assignmentOf(node: TestNode): Promise<Assignment> {
  const abort = new AbortController();
  try {
    for await (const m of node.client.watchAssignments({}, { signal: abort.signal }))
      if (m.event.case === "assignment") return m.event.value;
  } finally {
    abort.abort();
  }
  throw new Error("no assignment");
}

const parametersOf = async (node: TestNode) => decodeUpdate((await assignmentOf(node)).globalWeights).length;

describe("scheduling", () => {
  it("takes only nodes the dataset's policy allows (reputation, third parties, regions) and waits for min_workers", async () => {
    const { ref: internal } = await world.dataset({
      owner: "alice",
      name: "internal-points",
      encryption: "escrow",
      classification: DataClassification.INTERNAL,
    });
    await world.store.datasets.setPolicy(
      "alice",
      "internal-points",
      1,
      policyFor("internal", { allowedRegions: ["eu"] }),
    );
    const alice = world.jobs("alice");
    const { job } = await alice.submitJob({ spec: testSpec(internal, { minWorkers: 2, maxWorkers: 4 }) });
    const id = job!.id;
    await world.addNode({ operator: "alice", region: "eu", reputation: 10 }); // below 25
    await world.addNode({ operator: "bob", region: "eu" }); // a third party
    await world.addNode({ operator: null, region: "eu" }); // an anonymous volunteer
    await world.addNode({ operator: "alice", region: "us" }); // outside the regions
    const good = await world.addNode({ operator: "alice", region: "eu" });
    await world.engine.tick();
    const waiting = (await alice.getJob({ id })).job!;
    expect(waiting.state).toBe(JobState.WAITING_FOR_WORKERS);
    expect(waiting.reason).toBe("waiting for workers: 1 of 2 eligible worker(s) available");
    const second = await world.addNode({ operator: "alice", region: "eu", cores: 16 });
    await world.engine.tick();
    const running = (await alice.getJob({ id })).job!;
    expect(running.state).toBe(JobState.RUNNING);
    expect(running.workers.map((w) => w.nodeId).sort()).toEqual([good.nodeId, second.nodeId].sort());
    // The bigger node is ranked first: shard 0.
    expect(running.workers.find((w) => w.shard === 0)?.nodeId).toBe(second.nodeId);
    // Escrowed key: each worker is granted exactly its shard's chunks.
    const shards = await world.store.jobs.shards(id);
    const a = await assignmentOf(good);
    const opened = await openGrant(world.deps.primitives, good.agreementSecret, a.keyGrant!);
    expect(opened.ok).toBe(true);
    const mine = shards.find((s) => s.nodeId === good.nodeId)!;
    expect(opened.ok && [...opened.value.keys.keys()]).toEqual(mine.chunkIndices);
    expect(a.chunkIndices).toEqual(mine.chunkIndices);
    const version = await world.store.datasets.get("alice", "internal-points", 1);
    expect(mine.chunkIndices.length).toBeLessThan(version.numChunks);
    expect((await world.store.jobs.keyGrants(id)).map((g) => g.madeBy)).toEqual(["gateway", "gateway"]);
  });
});

describe("reassignment with escrowed keys", () => {
  it("revokes the lost worker, grants its shard's chunks to the new holder only, and audits each fetch", async () => {
    const { ref: internal } = await world.dataset({
      owner: "alice",
      name: "internal-reassigned",
      encryption: "escrow",
      classification: DataClassification.INTERNAL,
    });
    const alice = world.jobs("alice");
    const { job } = await alice.submitJob({ spec: testSpec(internal, { minWorkers: 2, maxWorkers: 2 }) });
    const id = job!.id;
    const [a, b] = [await world.addNode({ operator: "alice" }), await world.addNode({ operator: "alice" })];
    await world.engine.tick();
    const first = await assignmentOf(b!);
    for await (const _ of b!.client.fetchShard({ jobId: id, chunkIndices: first.chunkIndices })) void _;
    const audited = await world.store.audit.list({ subject: "dataset:alice/internal-reassigned@v1" });
    expect(audited[0]).toMatchObject({ actor: `node:${b!.nodeId}`, action: "job.fetch" });
    expect(audited[0]?.detail).toMatchObject({ job: id, chunks: first.chunkIndices });

    // b's stream is open when b is lost: it hears the revocation.
    const abort = new AbortController();
    const heard: string[] = [];
    const listening = (async () => {
      for await (const m of b!.client.watchAssignments({}, { signal: abort.signal })) {
        heard.push(m.event.case ?? "");
        if (m.event.case === "revokedJobId") return;
      }
    })();
    while (heard.length === 0) await new Promise((r) => setTimeout(r, 20));
    const lostShard = (await world.store.jobs.shards(id)).find((s) => s.nodeId === b!.nodeId)!;
    const spare = await world.addNode({ operator: "alice" });
    await world.sql("UPDATE nodes SET state = 'lost' WHERE node_id = $1", [b!.nodeId]);
    await world.engine.tick();
    await listening;
    abort.abort();
    expect(heard).toEqual(["assignment", "revokedJobId"]);
    const grants = await world.store.jobs.keyGrants(id);
    expect(grants.map((g) => g.nodeId).sort()).toEqual([a!.nodeId, spare.nodeId].sort());
    const moved = await assignmentOf(spare);
    expect(moved.shard).toBe(lostShard.shard);
    expect(moved.chunkIndices).toEqual(lostShard.chunkIndices);
    const opened = await openGrant(world.deps.primitives, spare.agreementSecret, moved.keyGrant!);
    expect(opened.ok && [...opened.value.keys.keys()]).toEqual(lostShard.chunkIndices);
    // The lost node is not a worker any more: its fetches are refused.
    expect(
      await refusal(
        (async () => {
          for await (const _ of b!.client.fetchShard({ jobId: id, chunkIndices: [] })) void _;
        })(),
      ),
    ).toBe(`PermissionDenied: node ${b!.nodeId} is not a worker of job ${id}`);
  });
});

describe("rounds", () => {
  it("closes at quorum, and at the deadline without the silent worker, whose shard goes to an idle node", async () => {
    const alice = world.jobs("alice");
    const { job } = await alice.submitJob({
      spec: testSpec(ref, { minWorkers: 3, maxWorkers: 3, quorum: 0.5, rounds: 3 }),
    });
    const id = job!.id;
    const nodes = [
      await world.addNode({ operator: "alice" }),
      await world.addNode({ operator: "alice" }),
      await world.addNode({ operator: "alice" }),
    ];
    await world.engine.tick();
    const n = await parametersOf(nodes[0]!);
    // ceil(0.5 × 3) = 2 accepted updates close round 1.
    await nodes[0]!.submit(id, 1, new Float32Array(n).fill(0.1), 10);
    await world.engine.tick();
    expect((await alice.getJob({ id })).job!.currentRound).toBe(1);
    await nodes[1]!.submit(id, 1, new Float32Array(n).fill(0.3), 30);
    await world.engine.tick();
    const afterQuorum = (await alice.getJob({ id })).job!;
    expect(afterQuorum.currentRound).toBe(2);
    expect(afterQuorum.rounds[0]?.closedBy).toBe(RoundClose.QUORUM);
    expect(
      decodeUpdate((await world.store.jobs.model(id, 1))!)[0]! -
        decodeUpdate((await world.store.jobs.model(id, 0))!)[0]!,
    ).toBeCloseTo(0.25, 5);

    // Round 2: one update, then the deadline passes; a spare node takes the silent worker's shard.
    await nodes[0]!.submit(id, 2, new Float32Array(n).fill(0.1), 10);
    const spare = await world.addNode({ operator: "alice" });
    await world.sql("UPDATE job_rounds SET deadline = now() - interval '1 second' WHERE job_id = $1 AND round = 2", [
      id,
    ]);
    await world.engine.tick();
    await world.engine.tick();
    const afterDeadline = (await alice.getJob({ id })).job!;
    expect(afterDeadline.rounds[1]?.closedBy).toBe(RoundClose.DEADLINE);
    expect(afterDeadline.currentRound).toBe(3);
    const lost = afterDeadline.workers.filter((w) => w.state === WorkerState.LOST).map((w) => w.nodeId);
    expect(lost.sort()).toEqual([nodes[1]!.nodeId, nodes[2]!.nodeId].sort());
    const holders = (await world.store.jobs.shards(id)).map((s) => s.nodeId);
    expect(holders).toContain(spare.nodeId);
    expect(holders).not.toContain(nodes[1]!.nodeId);
    expect(holders.every((h) => h !== undefined)).toBe(true);
  });

  it("refuses an update of outlying norm at the close (trimmed-mean), logs it in the round and lowers the node's reputation", async () => {
    const alice = world.jobs("alice");
    const spec = testSpec(ref, {
      minWorkers: 3,
      maxWorkers: 3,
      rounds: 2,
      aggregation: { rule: "trimmed-mean", trimFraction: 0.2, maxNormRatio: 3 },
    });
    const { job } = await alice.submitJob({ spec });
    const id = job!.id;
    const nodes = [
      await world.addNode({ operator: "alice" }),
      await world.addNode({ operator: "alice" }),
      await world.addNode({ operator: "alice" }),
    ];
    await world.engine.tick();
    const n = await parametersOf(nodes[0]!);
    await nodes[0]!.submit(id, 1, new Float32Array(n).fill(0.01), 10);
    await nodes[1]!.submit(id, 1, new Float32Array(n).fill(0.03), 10);
    expect(await nodes[2]!.submit(id, 1, new Float32Array(n).fill(50), 10)).toMatchObject({ accepted: true });
    await world.engine.tick();
    const round = (await alice.getJob({ id })).job!.rounds[0]!;
    expect([round.updatesAccepted, round.updatesRejected]).toEqual([2, 1]);
    const refused = round.workers.find((w) => w.nodeId === nodes[2]!.nodeId)!;
    expect(refused.accepted).toBe(false);
    expect(refused.reason).toMatch(/^norm .* is above 3 × the round's median norm/);
    // Its sender is out of the job, rejected (not lost, as a silent worker would be).
    const workers = (await alice.getJob({ id })).job!.workers;
    expect(workers.find((w) => w.nodeId === nodes[2]!.nodeId)?.state).toBe(WorkerState.REJECTED);
    expect(workers.filter((w) => w.state === WorkerState.LOST)).toEqual([]);
    expect((await world.store.nodePool.get(nodes[2]!.nodeId))?.reputation).toBe(41);
    expect((await world.store.nodePool.get(nodes[0]!.nodeId))?.reputation).toBe(51);
    const moved =
      decodeUpdate((await world.store.jobs.model(id, 1))!)[0]! -
      decodeUpdate((await world.store.jobs.model(id, 0))!)[0]!;
    expect(moved).toBeCloseTo(0.02, 5);
  });

  it("merges a lost worker's shard into the others when no node is idle, and the job completes", async () => {
    const alice = world.jobs("alice");
    const { job } = await alice.submitJob({ spec: testSpec(ref, { minWorkers: 2, maxWorkers: 2, rounds: 2 }) });
    const id = job!.id;
    const [a, b] = [await world.addNode({ operator: "alice" }), await world.addNode({ operator: "alice" })];
    await world.engine.tick();
    const before = await world.store.jobs.shards(id);
    const total = before.reduce((s, x) => s + x.samples, 0);
    const n = await parametersOf(a!);
    await world.sql("UPDATE nodes SET state = 'lost' WHERE node_id = $1", [b!.nodeId]);
    await world.engine.tick();
    const after = await world.store.jobs.shards(id);
    expect(after.map((s) => s.nodeId)).toEqual([a!.nodeId]);
    expect(after[0]!.samples).toBe(total);
    const got = await assignmentOf(a!);
    expect(got.chunkIndices.length).toBeGreaterThanOrEqual(
      before.find((s) => s.nodeId === a!.nodeId)!.chunkIndices.length,
    );
    await a!.submit(id, 1, new Float32Array(n), 10);
    await world.engine.tick();
    await a!.submit(id, 2, new Float32Array(n), 10);
    await world.engine.tick();
    const ended = (await alice.getJob({ id })).job!;
    expect(ended.state).toBe(JobState.SUCCEEDED);
    // The survivor ended the job with it: done; the lost worker stays lost.
    expect(new Map(ended.workers.map((w) => [w.nodeId, w.state]))).toEqual(
      new Map([
        [a!.nodeId, WorkerState.DONE],
        [b!.nodeId, WorkerState.LOST],
      ]),
    );
  });

  it("merges a lost worker's class-balanced shard into the survivor's one shard, which its next assignment covers", async () => {
    const alice = world.jobs("alice");
    const { job } = await alice.submitJob({
      spec: testSpec(ref, { minWorkers: 2, maxWorkers: 2, rounds: 2, shardingStrategy: "class-balanced" }),
    });
    const id = job!.id;
    const [a, b] = [await world.addNode({ operator: "alice" }), await world.addNode({ operator: "alice" })];
    await world.engine.tick();
    const before = await world.store.jobs.shards(id);
    const total = before.reduce((s, x) => s + x.samples, 0);
    const n = await parametersOf(a!);
    // Between rounds a worker's heartbeat reports it idle: it is still this job's, not a free node.
    await world.sql("UPDATE nodes SET state = 'idle' WHERE node_id = $1", [a!.nodeId]);
    await world.sql("UPDATE nodes SET state = 'lost' WHERE node_id = $1", [b!.nodeId]);
    await world.engine.tick();
    const after = await world.store.jobs.shards(id);
    expect(after.map((s) => s.nodeId)).toEqual([a!.nodeId]);
    expect(after[0]!.samples).toBe(total);
    const got = await assignmentOf(a!);
    expect(got.samples.reduce((n, r) => n + Number(r.end - r.start), 0)).toBe(total);
    expect(got.chunkIndices.length).toBeGreaterThanOrEqual(
      before.find((s) => s.nodeId === a!.nodeId)!.chunkIndices.length,
    );
    await a!.submit(id, 1, new Float32Array(n), 10);
    await world.engine.tick();
    await a!.submit(id, 2, new Float32Array(n), 10);
    await world.engine.tick();
    expect((await alice.getJob({ id })).job!.state).toBe(JobState.SUCCEEDED);
  });

  it("spreads the shards over a node that joins a running job below max_workers, at the start of a round", async () => {
    const alice = world.jobs("alice");
    const { job } = await alice.submitJob({ spec: testSpec(ref, { minWorkers: 1, maxWorkers: 2 }) });
    const id = job!.id;
    const a = await world.addNode({ operator: "alice" });
    await world.engine.tick();
    const [alone] = await world.store.jobs.shards(id);
    const b = await world.addNode({ operator: "alice" });
    await world.engine.tick();
    const spread = await world.store.jobs.shards(id);
    expect(spread.map((s) => s.nodeId).sort()).toEqual([a.nodeId, b.nodeId].sort());
    expect(spread.reduce((n, s) => n + s.samples, 0)).toBe(alone!.samples);
    expect(Math.abs(spread[0]!.samples - spread[1]!.samples)).toBeLessThanOrEqual(1);
    expect((await assignmentOf(b)).round).toBe(1);
    // Once a round has an update, a newcomer waits for the next join point.
    const n = await parametersOf(a);
    await a.submit(id, 1, new Float32Array(n), 10);
    await world.addNode({ operator: "alice" });
    await world.engine.tick();
    expect((await world.store.jobs.shards(id)).length).toBe(2);
  });

  it("sizes the shards by the workers' samples per second between rounds, moving the fewest samples", async () => {
    const alice = world.jobs("alice");
    const { job } = await alice.submitJob({ spec: testSpec(ref, { minWorkers: 2, maxWorkers: 2, rounds: 3 }) });
    const id = job!.id;
    const fast = await world.addNode({ operator: "alice" });
    const slow = await world.addNode({ operator: "alice" });
    await world.engine.tick();
    const equal = await world.store.jobs.shards(id);
    const total = equal.reduce((n, s) => n + s.samples, 0);
    const sampleSet = (ranges: readonly (readonly [number, number])[]) =>
      new Set(ranges.flatMap(([s, e]) => Array.from({ length: e - s }, (_, k) => s + k)));
    const before = sampleSet(equal.find((s) => s.nodeId === fast.nodeId)!.sampleRanges);
    expect(Math.abs(equal[0]!.samples - equal[1]!.samples)).toBeLessThanOrEqual(1);
    const n = await parametersOf(fast);
    await fast.submit(id, 1, new Float32Array(n), 10, 400);
    await slow.submit(id, 1, new Float32Array(n), 10, 100);
    await world.engine.tick();
    expect((await alice.getJob({ id })).job!.currentRound).toBe(2);
    const resized = await world.store.jobs.shards(id);
    const share = (node: string) => resized.find((s) => s.nodeId === node)!;
    expect(resized.reduce((a, s) => a + s.samples, 0)).toBe(total);
    // 4:1, within a sample per class of the proportional split.
    expect(Math.abs(share(fast.nodeId).samples - 0.8 * total)).toBeLessThanOrEqual(2);
    // The faster node kept every sample it had: only the slower one's surplus moved.
    const after = sampleSet(share(fast.nodeId).sampleRanges);
    expect([...before].every((i) => after.has(i))).toBe(true);
    // The next round's assignment carries the new shard.
    const next = await assignmentOf(slow);
    expect(next.round).toBe(2);
    expect(next.samples.reduce((a, r) => a + Number(r.end - r.start), 0)).toBe(share(slow.nodeId).samples);
    // Shares already in proportion stay as they are.
    await fast.submit(id, 2, new Float32Array(n), 10, 390);
    await slow.submit(id, 2, new Float32Array(n), 10, 100);
    await world.engine.tick();
    expect((await alice.getJob({ id })).job!.currentRound).toBe(3);
    expect(await world.store.jobs.shards(id)).toEqual(resized);
  });

  it("sizes round 1 by the workers' speeds in an earlier job of the same model and batch size", async () => {
    const alice = world.jobs("alice");
    const spec = (over: Record<string, unknown> = {}) =>
      testSpec(ref, { minWorkers: 2, maxWorkers: 2, rounds: 2, ...over });
    const first = (await alice.submitJob({ spec: spec() })).job!.id;
    const fast = await world.addNode({ operator: "alice" });
    const slow = await world.addNode({ operator: "alice" });
    await world.engine.tick();
    const n = await parametersOf(fast);
    await fast.submit(first, 1, new Float32Array(n), 10, 400);
    await slow.submit(first, 1, new Float32Array(n), 10, 100);
    await alice.cancelJob({ id: first });

    const second = (await alice.submitJob({ spec: spec() })).job!.id;
    await world.engine.tick();
    const sized = await world.store.jobs.shards(second);
    const total = sized.reduce((a, s) => a + s.samples, 0);
    const fastShare = sized.find((s) => s.nodeId === fast.nodeId)!.samples;
    // 4:1 from the first round of the earlier job, within a sample per class.
    expect(Math.abs(fastShare - 0.8 * total)).toBeLessThanOrEqual(2);
    expect((await assignmentOf(slow)).samples.reduce((a, r) => a + Number(r.end - r.start), 0)).toBe(total - fastShare);
    await alice.cancelJob({ id: second });

    // Speeds at another batch size say nothing about this one: equal shares.
    const third = (await alice.submitJob({ spec: spec({ batchSize: 8 }) })).job!.id;
    await world.engine.tick();
    const equal = await world.store.jobs.shards(third);
    expect(equal.map((s) => s.nodeId).sort()).toEqual([fast.nodeId, slow.nodeId].sort());
    expect(Math.abs(equal[0]!.samples - equal[1]!.samples)).toBeLessThanOrEqual(1);
  });

  it("takes back a worker that missed the deadline when no other node is there, instead of waiting", async () => {
    const alice = world.jobs("alice");
    const id = (await alice.submitJob({ spec: testSpec(ref, { rounds: 2 }) })).job!.id;
    const only = await world.addNode({ operator: "alice" });
    await world.engine.tick();
    expect((await assignmentOf(only)).round).toBe(1);
    await world.sql("UPDATE job_rounds SET deadline = now() - interval '1 second' WHERE job_id = $1 AND round = 1", [
      id,
    ]);
    await world.engine.tick();
    await world.engine.tick();
    const after = (await alice.getJob({ id })).job!;
    expect(after.rounds[0]?.closedBy).toBe(RoundClose.DEADLINE);
    expect(after.state).toBe(JobState.RUNNING);
    expect(after.workers.find((w) => w.nodeId === only.nodeId)?.state).toBe(WorkerState.ASSIGNED);
    expect((await world.store.jobs.shards(id)).map((s) => s.nodeId)).toEqual([only.nodeId]);
    expect((await assignmentOf(only)).round).toBe(2);
  });

  it("waits when no worker is left, and resumes when one joins", async () => {
    const alice = world.jobs("alice");
    const { job } = await alice.submitJob({ spec: testSpec(ref) });
    const id = job!.id;
    const a = await world.addNode({ operator: "alice" });
    await world.engine.tick();
    await world.sql("UPDATE nodes SET state = 'left' WHERE node_id = $1", [a.nodeId]);
    await world.engine.tick();
    const waiting = (await alice.getJob({ id })).job!;
    expect(waiting.state).toBe(JobState.WAITING_FOR_WORKERS);
    expect(waiting.reason).toBe("no live worker: waiting for one to join");
    const b = await world.addNode({ operator: "alice" });
    await world.engine.tick();
    expect((await alice.getJob({ id })).job!.state).toBe(JobState.RUNNING);
    expect((await assignmentOf(b)).round).toBe(1);
  });

  it("streams a snapshot, then each closed round, until the job ends with its workers done", async () => {
    const alice = world.jobs("alice");
    const { job } = await alice.submitJob({ spec: testSpec(ref, { rounds: 1 }) });
    const id = job!.id;
    const a = await world.addNode({ operator: "alice" });
    await world.engine.tick();
    const n = await parametersOf(a);
    const events: string[] = [];
    const watching = (async () => {
      for await (const m of alice.watchJob({ id })) {
        const e = m.event;
        events.push(
          e.case === "worker"
            ? `worker ${e.value.nodeId === a.nodeId ? "a" : e.value.nodeId} ${workerStateName(e.value.state)}`
            : e.case === "state"
              ? `state ${jobStateName(e.value)}`
              : (e.case ?? ""),
        );
        if (events.length === 1) {
          await a.submit(id, 1, new Float32Array(n), 10);
          await world.engine.tick();
        }
      }
    })();
    await watching;
    expect(events[0]).toBe("snapshot");
    expect(events).toContain("roundClosed");
    // The last events: the worker the job ended with, now done, then the final state.
    expect(events.slice(-2)).toEqual(["worker a done", "state succeeded"]);
  });
});

describe("keys for Confidential data", () => {
  it("waits for the owner's grants; a grant of other chunks is refused; the right one starts the job", async () => {
    const { ref: secret, key } = await world.dataset({
      owner: "alice",
      name: "confidential-points",
      encryption: "confidential",
    });
    const alice = world.jobs("alice");
    const { job } = await alice.submitJob({ spec: testSpec(secret) });
    const id = job!.id;
    const node = await world.addNode({ operator: "alice", reputation: 60 });
    await world.engine.tick();
    const waiting = (await alice.getJob({ id })).job!;
    expect(waiting.state).toBe(JobState.WAITING_FOR_KEYS);
    expect(waiting.reason).toBe("waiting for the owner to grant chunk keys to 1 worker(s)");
    const [request] = waiting.keyRequests;
    expect(request?.nodeId).toBe(node.nodeId);
    const version = await world.store.datasets.get("alice", "confidential-points", 1);
    const cipher = fromBinary(DatasetManifestSchema, version.manifestBytes).cipher!;
    expect(request!.chunkIndices.length).toBeGreaterThan(1);
    const fewer = request!.chunkIndices.slice(1);
    const partial = await grantChunkKeys(world.deps.primitives, key!, cipher, fewer, request!.agreementPublicKey);
    expect(await refusal(alice.grantKeys({ id, grants: [{ nodeId: node.nodeId, grant: partial }] }))).toMatch(
      /^InvalidArgument: grants\[0\]\.grant\.chunk_indices: \[.*\] are not the chunks of shard 0 of node_/,
    );
    expect(await world.store.jobs.keyGrants(id)).toEqual([]);
    const right = await grantChunkKeys(
      world.deps.primitives,
      key!,
      cipher,
      request!.chunkIndices,
      request!.agreementPublicKey,
    );
    expect(await refusal(world.jobs("bob").grantKeys({ id, grants: [{ nodeId: node.nodeId, grant: right }] }))).toBe(
      `NotFound: job ${id} not found`,
    );
    await alice.grantKeys({ id, grants: [{ nodeId: node.nodeId, grant: right }] });
    await world.engine.tick();
    expect((await alice.getJob({ id })).job!.state).toBe(JobState.RUNNING);
    const a = await assignmentOf(node);
    expect(a.keyGrant?.chunkIndices).toEqual(request!.chunkIndices);
    expect(a.secureDelete).toBe(true);
    // The global model is not evaluated: the gateway cannot read Confidential data.
    await node.submit(id, 1, new Float32Array(decodeUpdate(a.globalWeights).length), 10);
    await world.engine.tick();
    expect((await alice.getJob({ id })).job!.rounds[0]?.global).toBeUndefined();
  });
});

describe("a gateway restart mid-round", () => {
  it("resumes every job from the database: the open round whose deadline passed closes at the next tick", async () => {
    const alice = world.jobs("alice");
    const { job } = await alice.submitJob({
      spec: testSpec(ref, { rounds: 2, quorum: 1, minWorkers: 2, maxWorkers: 2 }),
    });
    const id = job!.id;
    const [a, b] = [await world.addNode({ operator: "alice" }), await world.addNode({ operator: "alice" })];
    await world.engine.tick();
    const n = await parametersOf(a!);
    await a!.submit(id, 1, new Float32Array(n).fill(0.5), 10);
    await world.sql("UPDATE job_rounds SET deadline = now() WHERE job_id = $1 AND round = 1", [id]);
    const dir = world.dataDir;
    await world.close();
    world = await openJobWorld(dir);
    await world.engine.tick();
    const resumed = (await world.jobs("alice").getJob({ id })).job!;
    expect(resumed.rounds[0]?.closedBy).toBe(RoundClose.DEADLINE);
    expect(resumed.rounds[0]?.updatesAccepted).toBe(1);
    expect(resumed.currentRound).toBe(2);
    const delta =
      decodeUpdate((await world.store.jobs.model(id, 1))!)[0]! -
      decodeUpdate((await world.store.jobs.model(id, 0))!)[0]!;
    expect(delta).toBeCloseTo(0.5, 5);
    void b;
  });
});
