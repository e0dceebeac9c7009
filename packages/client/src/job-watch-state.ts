import { clone } from "@bufbuild/protobuf";
import { type Job, JobSchema, type WatchJobResponse } from "@cyxwiz/protocol/gen";

/**
 * The job as a `JobService.WatchJob` stream describes it (docs/compute.md "Watch" and
 * "Dashboard"), one message at a time: the first message is the whole job (a snapshot replaces
 * whatever came before, as after a reconnect); a closed round replaces the round with its number
 * or is added, keeping `rounds` in round order, and moves `currentRound` on to it; a worker event
 * replaces the worker with its node id or is added after the others; a state event sets the state.
 * `cyxwiz job watch` and the dashboard's job page both fold the stream with it, so they show the
 * same job.
 *
 * Pure: returns a new Job and leaves `job` as it was (so React sees each change). An event before
 * the snapshot, or one this build does not know (protobuf-es leaves its `case` undefined), leaves
 * the job as it was.
 *
 * @param job the job so far: undefined before the snapshot.
 * @param message one message of the stream.
 * @returns the job after `message`; undefined while no snapshot has come.
 */
export function applyJobEvent(job: Job | undefined, message: WatchJobResponse): Job | undefined {
  const e = message.event;
  if (e.case === "snapshot") return e.value;
  if (job === undefined || e.case === undefined) return job;
  const next = clone(JobSchema, job);
  switch (e.case) {
    case "roundClosed": {
      const round = e.value;
      next.rounds = [...next.rounds.filter((r) => r.round !== round.round), round].sort((a, b) => a.round - b.round);
      next.currentRound = Math.max(next.currentRound, round.round);
      return next;
    }
    case "worker": {
      const at = next.workers.findIndex((w) => w.nodeId === e.value.nodeId);
      if (at >= 0) next.workers[at] = e.value;
      else next.workers.push(e.value);
      return next;
    }
    case "state":
      next.state = e.value;
      return next;
    default: {
      // A new event in proto/ fails to compile here until it is handled above.
      const unhandled: never = e;
      void unhandled;
      return job;
    }
  }
}
