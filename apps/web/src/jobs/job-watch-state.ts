import { clone } from "@bufbuild/protobuf";
import { type Job, JobSchema, type WatchJobResponse } from "@cyxwiz/protocol/gen";

/**
 * The job as a WatchJob stream describes it (docs/compute.md "Dashboard"): the first message is
 * the whole job; a closed round replaces or adds that round (and moves the round counter on), a
 * worker event replaces or adds that worker, a state event sets the state. Pure: returns a new Job
 * and leaves `job` as it was, so React sees each change.
 *
 * @param job the job so far (undefined before the snapshot; events before it are ignored).
 */
export function applyJobEvent(job: Job | undefined, event: WatchJobResponse): Job | undefined {
  const e = event.event;
  if (e.case === "snapshot") return e.value;
  if (job === undefined || e.case === undefined) return job;
  const next = clone(JobSchema, job);
  switch (e.case) {
    case "roundClosed": {
      const at = next.rounds.findIndex((r) => r.round === e.value.round);
      if (at >= 0) next.rounds[at] = e.value;
      else next.rounds = [...next.rounds, e.value].sort((a, b) => a.round - b.round);
      next.currentRound = Math.max(next.currentRound, e.value.round);
      return next;
    }
    case "worker": {
      const at = next.workers.findIndex((w) => w.nodeId === e.value.nodeId);
      if (at >= 0) next.workers[at] = e.value;
      else next.workers = [...next.workers, e.value];
      return next;
    }
    case "state":
      next.state = e.value;
      return next;
    default:
      return assertNever(e);
  }
}

function assertNever(value: never): never {
  throw new Error(`unknown WatchJob event ${JSON.stringify(value)}`);
}
