import { create } from "@bufbuild/protobuf";
import {
  type Job,
  JobSchema,
  JobState,
  type JobWorker,
  JobWorkerSchema,
  type Round,
  RoundClose,
  RoundSchema,
  type WatchJobResponse,
  WatchJobResponseSchema,
  WorkerState,
} from "@cyxwiz/protocol/gen";
import { describe, expect, it } from "vitest";
import { applyJobEvent } from "./job-watch-state.js";

const worker = (nodeId: string, shard: number, over: Partial<Omit<JobWorker, "$typeName">> = {}): JobWorker =>
  Object.assign(
    create(JobWorkerSchema, { nodeId, shard, backend: "cpu", state: WorkerState.TRAINING, shardSamples: 100n }),
    over,
  );

const round = (n: number, accuracy: number): Round =>
  create(RoundSchema, {
    round: n,
    closedBy: RoundClose.QUORUM,
    updatesAccepted: 2,
    global: { loss: 1 - accuracy, accuracy, samples: 1000n },
  });

const runningJob = (): Job =>
  create(JobSchema, {
    id: "job_1",
    state: JobState.RUNNING,
    currentRound: 1,
    spec: { rounds: 5 },
    workers: [worker("node_a", 0), worker("node_b", 1)],
  });

const message = (event: WatchJobResponse["event"]): WatchJobResponse => create(WatchJobResponseSchema, { event });

/** Folds the messages into the job, as a watcher does. */
const fold = (job: Job | undefined, ...events: WatchJobResponse["event"][]) =>
  events.reduce<Job | undefined>((j, e) => applyJobEvent(j, message(e)), job);

describe("applyJobEvent", () => {
  it("starts from the snapshot and ignores events before it", () => {
    const snapshot = runningJob();
    expect(fold(undefined, { case: "state", value: JobState.FAILED })).toBeUndefined();
    expect(fold(undefined, { case: "roundClosed", value: round(1, 0.5) })).toBeUndefined();
    expect(fold(undefined, { case: "snapshot", value: snapshot })).toBe(snapshot);
  });

  it("takes a later snapshot (after a reconnect) as the whole job", () => {
    const fresh = create(JobSchema, { id: "job_1", state: JobState.SUCCEEDED, rounds: [round(1, 0.9)] });
    const job = fold(runningJob(), { case: "roundClosed", value: round(1, 0.5) }, { case: "snapshot", value: fresh });
    expect(job).toBe(fresh);
  });

  it("adds closed rounds in round order, replaces a round seen again, and moves the round counter only on", () => {
    const job = fold(
      runningJob(),
      { case: "roundClosed", value: round(2, 0.8) },
      { case: "roundClosed", value: round(1, 0.6) },
      { case: "roundClosed", value: round(2, 0.85) },
    );
    expect(job?.rounds.map((r) => [r.round, r.global?.accuracy])).toEqual([
      [1, 0.6],
      [2, 0.85],
    ]);
    expect(job?.currentRound).toBe(2);
  });

  it("replaces a worker by node id in its place, adds a new one last, and sets the state", () => {
    const job = fold(
      runningJob(),
      { case: "worker", value: worker("node_a", 0, { state: WorkerState.LOST, backend: "webgpu" }) },
      { case: "worker", value: worker("node_c", 2) },
      { case: "state", value: JobState.SUCCEEDED },
    );
    expect(job?.workers.map((w) => [w.nodeId, w.state, w.backend])).toEqual([
      ["node_a", WorkerState.LOST, "webgpu"],
      ["node_b", WorkerState.TRAINING, "cpu"],
      ["node_c", WorkerState.TRAINING, "cpu"],
    ]);
    expect(job?.state).toBe(JobState.SUCCEEDED);
  });

  it("returns a new job each time and leaves the one it was given as it was", () => {
    const before = runningJob();
    const after = fold(
      before,
      { case: "roundClosed", value: round(1, 0.7) },
      { case: "worker", value: worker("node_a", 0, { state: WorkerState.LOST }) },
      { case: "worker", value: worker("node_c", 2) },
      { case: "state", value: JobState.FAILED },
    );
    expect(after).not.toBe(before);
    expect(after?.workers).not.toBe(before.workers);
    expect(before.rounds).toEqual([]);
    expect(before.currentRound).toBe(1);
    expect(before.workers.map((w) => [w.nodeId, w.state])).toEqual([
      ["node_a", WorkerState.TRAINING],
      ["node_b", WorkerState.TRAINING],
    ]);
    expect(before.state).toBe(JobState.RUNNING);
  });

  it("leaves the job as it was for an event this build does not know", () => {
    const job = runningJob();
    expect(applyJobEvent(job, create(WatchJobResponseSchema, {}))).toBe(job);
  });
});
