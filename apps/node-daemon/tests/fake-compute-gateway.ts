/**
 * A fake of the gateway's JobService and NodeService (proto/cyxwiz/compute/v1/), served over a
 * real HTTP server with connect-node, for the CLI's job and nodes tests. It keeps to the proto's
 * comments: every call needs the bearer token; SubmitJob takes a dataset version "name@vN" of the
 * caller's and a preset or a JSON model spec; WatchJob sends the job's snapshot first, then an
 * event per change, until the job ends. Each job's changes come from a script the test gives;
 * the fake applies them to its record, so a reconnecting watcher's snapshot has caught up.
 */

import { createServer } from "node:http";
import type { Socket } from "node:net";
import { clone, create, type MessageInitShape } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import { Code, ConnectError, type ConnectRouter, type HandlerContext } from "@connectrpc/connect";
import { connectNodeAdapter } from "@connectrpc/connect-node";
import {
  type GetModelResponseSchema,
  type Job,
  JobSchema,
  JobService,
  type JobSpec,
  JobState,
  type Node,
  NodeService,
  type WatchJobResponse,
} from "@cyxwiz/protocol/gen";

export const FAKE_TOKEN = "fake.compute-token.signature";

/**
 * One step of a job's watch script: an event, the connection dropped under the watcher, or the
 * stream ended cleanly before the job did (a gateway shutting down).
 */
export type WatchStep = { event: WatchJobResponse["event"] } | { drop: true } | { end: true };

export interface FakeComputeGateway {
  readonly url: string;
  /** The specs SubmitJob accepted, in order. */
  readonly submitted: JobSpec[];
  /** How many WatchJob streams were opened. */
  watchCalls: number;
  /** Adds a job as it stands now, with the changes a watcher will see. */
  addJob(job: Job, script?: WatchStep[]): void;
  /** The model GetModel answers for a job. */
  setModel(id: string, model: MessageInitShape<typeof GetModelResponseSchema>): void;
  job(id: string): Job | undefined;
  close(): Promise<void>;
}

/** The next event of a job's script is sent after this pause, so each leaves in its own write. */
const STEP_MS = 15;

/** Starts the fake on 127.0.0.1 with the registered `nodes` and the caller's dataset versions `datasets`. */
export async function startFakeComputeGateway(
  options: { nodes?: Node[]; datasets?: string[] } = {},
): Promise<FakeComputeGateway> {
  const nodes = options.nodes ?? [];
  const datasets = new Set(options.datasets ?? []);
  const jobs = new Map<string, Job>();
  const scripts = new Map<string, WatchStep[]>();
  const models = new Map<string, MessageInitShape<typeof GetModelResponseSchema>>();
  const sockets = new Set<Socket>();
  let next = 1;

  const authorize = (ctx: HandlerContext) => {
    if (ctx.requestHeader.get("Authorization") !== `Bearer ${FAKE_TOKEN}`)
      throw new ConnectError("CYXW_ERR_AUTH: the token is not valid", Code.Unauthenticated);
  };
  const known = (id: string) => {
    const job = jobs.get(id);
    if (job === undefined) throw new ConnectError(`no job ${id}`, Code.NotFound);
    return job;
  };
  const finished = (s: JobState) => s === JobState.SUCCEEDED || s === JobState.FAILED || s === JobState.CANCELLED;
  const apply = (job: Job, event: WatchJobResponse["event"]) => {
    switch (event.case) {
      case "roundClosed":
        job.rounds = [...job.rounds.filter((r) => r.round !== event.value.round), event.value];
        job.currentRound = Math.max(job.currentRound, event.value.round);
        break;
      case "worker": {
        const at = job.workers.findIndex((w) => w.nodeId === event.value.nodeId);
        if (at < 0) job.workers.push(event.value);
        else job.workers[at] = event.value;
        break;
      }
      case "state":
        job.state = event.value;
        break;
    }
  };

  const fake: FakeComputeGateway = {
    url: "",
    submitted: [],
    watchCalls: 0,
    addJob(job, script = []) {
      jobs.set(job.id, clone(JobSchema, job));
      scripts.set(job.id, [...script]);
    },
    setModel(id, model) {
      models.set(id, model);
    },
    job: (id) => jobs.get(id),
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };

  const routes = (router: ConnectRouter) => {
    router.service(NodeService, {
      listNodes(_req, ctx) {
        authorize(ctx);
        return { nodes };
      },
    });
    router.service(JobService, {
      submitJob(req, ctx) {
        authorize(ctx);
        const spec = req.spec;
        if (spec === undefined) throw new ConnectError("spec is required", Code.InvalidArgument);
        if (!/^.+@v\d+$/.test(spec.datasetRef))
          throw new ConnectError(`dataset_ref "${spec.datasetRef}" is not name@vN`, Code.InvalidArgument);
        if (!datasets.has(spec.datasetRef)) throw new ConnectError(`no dataset ${spec.datasetRef}`, Code.NotFound);
        if (spec.model.case === undefined)
          throw new ConnectError("a preset or a model spec is required", Code.InvalidArgument);
        if (spec.model.case === "modelJson") JSON.parse(spec.model.value);
        fake.submitted.push(spec);
        const job = create(JobSchema, {
          id: `job_${next++}`,
          owner: "owner@example.com",
          spec,
          state: JobState.WAITING_FOR_WORKERS,
          createdAt: timestampFromDate(new Date("2026-12-01T10:00:00Z")),
        });
        jobs.set(job.id, job);
        return { job };
      },
      getJob(req, ctx) {
        authorize(ctx);
        return { job: known(req.id) };
      },
      listJobs(_req, ctx) {
        authorize(ctx);
        return { jobs: [...jobs.values()].reverse() };
      },
      cancelJob(req, ctx) {
        authorize(ctx);
        const job = known(req.id);
        if (finished(job.state)) throw new ConnectError(`job ${req.id} has ended`, Code.FailedPrecondition);
        job.state = JobState.CANCELLED;
        job.reason = req.reason === "" ? "cancelled by the owner" : req.reason;
        return { job };
      },
      getModel(req, ctx) {
        authorize(ctx);
        known(req.id);
        const model = models.get(req.id);
        if (model === undefined) throw new ConnectError(`job ${req.id} has no model yet`, Code.FailedPrecondition);
        return model;
      },
      async *watchJob(req, ctx) {
        authorize(ctx);
        fake.watchCalls++;
        const job = known(req.id);
        yield { event: { case: "snapshot", value: clone(JobSchema, job) } };
        const script = scripts.get(req.id) ?? [];
        while (script.length > 0 && !ctx.signal.aborted) {
          await new Promise((r) => setTimeout(r, STEP_MS));
          const step = script.shift()!;
          if ("drop" in step) {
            for (const s of sockets) s.destroy();
            return;
          }
          if ("end" in step) return;
          apply(job, step.event);
          yield { event: step.event };
          if (finished(job.state)) return;
        }
        // Nothing more scripted: stay open, as the gateway does for a job still running.
        await new Promise((resolve) => ctx.signal.addEventListener("abort", resolve));
      },
    });
  };

  const server = createServer(connectNodeAdapter({ routes }));
  server.on("connection", (s) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  if (address === null || typeof address === "string") throw new Error("no port");
  return Object.assign(fake, { url: `http://127.0.0.1:${address.port}` });
}
