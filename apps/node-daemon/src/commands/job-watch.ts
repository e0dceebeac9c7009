import { setTimeout as sleep } from "node:timers/promises";
import { applyJobEvent, isTransient, toClientError } from "@cyxwiz/client";
import { type Job, JobState, RoundClose, type WatchJobResponse } from "@cyxwiz/protocol/gen";
import { isJobFinished, jobStateName } from "@cyxwiz/protocol/vocab";
import { badInput, CliError, ExitCode } from "../exit-codes.js";
import { cliErrorOf, type GatewayOptions, openGateway } from "../gateway-access.js";
import { roundLine, watchSummary, workerLine } from "../job-describe.js";
import type { Output } from "../output.js";

/** Reconnects in a row without a message before `job watch` gives up (about a minute of waiting). */
export const MAX_RECONNECTS = 10;
const FIRST_DELAY_MS = 250;
const MAX_DELAY_MS = 8000;

/**
 * `cyxwiz job watch <id>`: follows WatchJob (a snapshot, then an event per change), narrating
 * rounds, workers and state changes on stderr. A stream that drops or ends before the job does is
 * opened again (with a pause that doubles up to 8 s; the new snapshot catches up), up to
 * {@link MAX_RECONNECTS} times in a row. Ends with the job: exit 0 when it succeeded,
 * ExitCode.JOB_FAILED (3) when it failed, ExitCode.JOB_CANCELLED (4) when it was cancelled;
 * stdout gets the summary (`--json`: `{job, state, rounds, accuracy, loss, workers}`).
 */
export async function jobWatchCommand(id: string, opts: GatewayOptions, out: Output): Promise<void> {
  const { clients } = await openGateway(opts);
  let job: Job | undefined;
  const printed = new Set<number>();
  let failures = 0;
  const narrate = (before: Job | undefined, after: Job, event: WatchJobResponse["event"]) => {
    const total = after.spec?.rounds ?? 0;
    if (before === undefined || before.state !== after.state) {
      out.note(
        `job ${after.id}: ${jobStateName(after.state)}${after.reason === "" ? "" : ` (${after.reason})`}, round ${after.currentRound}/${total || "?"}`,
      );
      if (after.state === JobState.WAITING_FOR_KEYS)
        out.note(
          `job ${after.id}: grant the assigned workers their chunk keys from the dashboard (the gateway holds no key); it starts then`,
        );
    }
    for (const r of after.rounds) {
      if (printed.has(r.round) || r.closedBy === RoundClose.UNSPECIFIED) continue; // an open round prints once closed
      printed.add(r.round);
      out.note(roundLine(r, total));
    }
    if (event.case === "worker") {
      const was = before?.workers.find((w) => w.nodeId === event.value.nodeId);
      if (was === undefined || was.state !== event.value.state || was.backend !== event.value.backend)
        out.note(workerLine(event.value));
    }
  };

  for (;;) {
    let failure: unknown;
    try {
      for await (const message of clients.jobs.watchJob({ id })) {
        failures = 0;
        const before = job;
        job = applyJobEvent(job, message);
        if (job === undefined)
          throw badInput(`WatchJob ${id} at ${clients.baseUrl}: the stream did not start with the job's snapshot`);
        narrate(before, job, message.event);
        if (isJobFinished(job.state)) break;
      }
    } catch (e) {
      if (e instanceof CliError) throw e;
      failure = e;
    }
    if (job !== undefined && isJobFinished(job.state)) break;
    if (failure !== undefined && !isTransient(failure))
      throw cliErrorOf(toClientError(failure, `WatchJob ${id} at ${clients.baseUrl}`));
    const why =
      failure === undefined ? "ended before the job did" : `dropped (${toClientError(failure, "WatchJob").message})`;
    if (++failures > MAX_RECONNECTS)
      throw badInput(
        `WatchJob ${id} at ${clients.baseUrl}: the stream ${why}; gave up after ${MAX_RECONNECTS} reconnects`,
      );
    const delay = Math.min(MAX_DELAY_MS, FIRST_DELAY_MS * 2 ** (failures - 1));
    out.note(`watch: the stream ${why}; reconnecting in ${(delay / 1000).toFixed(2)}s`);
    await sleep(delay);
  }

  const summary = watchSummary(job);
  const metrics =
    summary.accuracy === null || summary.loss === null
      ? "no evaluated round"
      : `accuracy ${(summary.accuracy * 100).toFixed(2)}%, loss ${summary.loss.toFixed(4)}`;
  out.result(
    summary,
    `job ${summary.job} ${summary.state} after ${summary.rounds} rounds: ${metrics} (${summary.workers.length} workers)`,
  );
  if (job.state === JobState.FAILED)
    throw new CliError(`job ${job.id} failed${job.reason === "" ? "" : `: ${job.reason}`}`, ExitCode.JOB_FAILED);
  if (job.state === JobState.CANCELLED)
    throw new CliError(
      `job ${job.id} was cancelled${job.reason === "" ? "" : `: ${job.reason}`}`,
      ExitCode.JOB_CANCELLED,
    );
}
