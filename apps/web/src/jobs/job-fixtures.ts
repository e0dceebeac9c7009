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

/** Test data: a running MNIST job with two workers and no closed round (shared by the jobs tests). */
export function runningJob(over: Partial<Omit<Job, "$typeName">> = {}): Job {
  const job = create(JobSchema, {
    id: "job_1",
    owner: "ada",
    state: JobState.RUNNING,
    currentRound: 1,
    spec: {
      datasetRef: "mnist@v1",
      model: { case: "preset", value: "mnist-mlp" },
      rounds: 5,
      evaluationSplit: "validation",
    },
    workers: [worker("node_a", 0), worker("node_b", 1)],
    createdAt: timestampFromDate(new Date("2026-12-02T07:00:00Z")),
  });
  return Object.assign(job, over);
}

/** Test data: a worker of {@link runningJob}. */
export function worker(nodeId: string, shard: number, over: Partial<Omit<JobWorker, "$typeName">> = {}): JobWorker {
  const w = create(JobWorkerSchema, {
    nodeId,
    shard,
    backend: "wasm",
    samplesPerSecond: 800,
    state: WorkerState.TRAINING,
    shardSamples: 5000n,
    kind: shard === 0 ? NodeKind.BROWSER : NodeKind.DAEMON,
    label: `worker ${shard}`,
  });
  return Object.assign(w, over);
}

/** Test data: round `n` closed by quorum, with a global evaluation and both workers' local metrics. */
export function closedRound(n: number, accuracy: number): Round {
  return create(RoundSchema, {
    round: n,
    startedAt: timestampFromDate(new Date(`2026-12-02T07:0${n}:00Z`)),
    closedAt: timestampFromDate(new Date(`2026-12-02T07:0${n}:30Z`)),
    closedBy: RoundClose.QUORUM,
    updatesAccepted: 2,
    updatesRejected: 0,
    global: { loss: 1 - accuracy, accuracy, samples: 1000n },
    workers: [
      { nodeId: "node_a", local: { loss: 1.1 - accuracy, accuracy: accuracy - 0.02, samples: 5000n }, accepted: true },
      { nodeId: "node_b", local: { loss: 1.2 - accuracy, accuracy: accuracy - 0.04, samples: 5000n }, accepted: true },
    ],
  });
}
