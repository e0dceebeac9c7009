import { toClientError } from "@cyxwiz/client";
import type { Job } from "@cyxwiz/protocol/gen";
import { badInput } from "../exit-codes.js";
import { cliErrorOf, type GatewayOptions, openGateway } from "../gateway-access.js";
import { describeJob, describeWorker, modelOf, roundLine } from "../job-describe.js";
import { type JobSubmitOptions, jobSpecOf } from "../job-spec-options.js";
import { weightsFileOf, writeModelFiles } from "../model-files.js";
import type { Output } from "../output.js";
import { textTable } from "../text-table.js";

/** Runs one JobService call, turning its failure into the CLI's error (exit 2, or 1 for corrupt data). */
async function call<T>(what: string, baseUrl: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (e) {
    throw cliErrorOf(toClientError(e, `${what} at ${baseUrl}`));
  }
}

/** The job of an answer that must carry one. */
function jobOf(answer: { job?: Job }, what: string): Job {
  if (answer.job === undefined) throw badInput(`${what}: the gateway answered without the job`);
  return answer.job;
}

/**
 * `cyxwiz job submit --dataset name@vN --preset P|--model FILE [...] --gateway URL`: checks the
 * options (and a model spec file) locally, submits the job, prints its id.
 */
export async function jobSubmitCommand(opts: JobSubmitOptions & GatewayOptions, out: Output): Promise<void> {
  const spec = await jobSpecOf(opts);
  const { clients } = await openGateway(opts);
  const job = jobOf(await call("SubmitJob", clients.baseUrl, () => clients.jobs.submitJob({ spec })), "SubmitJob");
  out.result(
    { job: job.id },
    `submitted ${job.id} on ${spec.datasetRef} (${modelOf(job) || "model"}); watch it with: cyxwiz job watch ${job.id} --gateway ${clients.baseUrl}`,
  );
}

/** `cyxwiz job get <id>`: a job with its rounds and workers. */
export async function jobGetCommand(id: string, opts: GatewayOptions, out: Output): Promise<void> {
  const { clients } = await openGateway(opts);
  const job = jobOf(await call(`GetJob ${id}`, clients.baseUrl, () => clients.jobs.getJob({ id })), `GetJob ${id}`);
  const d = describeJob(job);
  const lines = [
    `job       ${d.id}`,
    `state     ${d.state}${d.reason === "" ? "" : ` (${d.reason})`}`,
    `dataset   ${d.dataset}`,
    `model     ${d.model}`,
    `round     ${d.round}/${d.rounds || "?"}`,
    `accuracy  ${d.accuracy === null ? "-" : `${(d.accuracy * 100).toFixed(2)}%`}`,
    `loss      ${d.loss === null ? "-" : d.loss.toFixed(4)}`,
    `created   ${d.createdAt ?? "-"}`,
  ];
  if (job.rounds.length > 0) lines.push("", ...job.rounds.map((r) => roundLine(r, d.rounds)));
  if (job.workers.length > 0)
    lines.push(
      "",
      textTable([
        ["NODE", "LABEL", "SHARD", "STATE", "BACKEND", "SAMPLES", "SAMPLES/S"],
        ...job.workers
          .map(describeWorker)
          .map((w) => [
            w.node,
            w.label,
            String(w.shard),
            w.state,
            w.backend,
            String(w.samples),
            w.samplesPerSecond.toFixed(1),
          ]),
      ]),
    );
  if (d.waitingForKeys.length > 0)
    lines.push(
      "",
      `waiting for the owner to grant chunk keys to ${d.waitingForKeys.map((k) => k.node).join(", ")} (from the dashboard)`,
    );
  out.result(d, lines.join("\n"));
}

/** `cyxwiz job list`: the caller's jobs, newest first. */
export async function jobListCommand(opts: GatewayOptions, out: Output): Promise<void> {
  const { clients } = await openGateway(opts);
  const { jobs } = await call("ListJobs", clients.baseUrl, () => clients.jobs.listJobs({}));
  const rows = jobs.map((job) => {
    const d = describeJob(job);
    return {
      id: d.id,
      state: d.state,
      dataset: d.dataset,
      model: d.model,
      round: d.round,
      rounds: d.rounds,
      accuracy: d.accuracy,
      workers: job.workers.length,
      createdAt: d.createdAt ?? null,
    };
  });
  const text =
    rows.length === 0
      ? "no jobs"
      : textTable([
          ["JOB", "STATE", "DATASET", "MODEL", "ROUND", "ACCURACY", "WORKERS", "CREATED"],
          ...rows.map((r) => [
            r.id,
            r.state,
            r.dataset,
            r.model,
            `${r.round}/${r.rounds || "?"}`,
            r.accuracy === null ? "-" : `${(r.accuracy * 100).toFixed(2)}%`,
            String(r.workers),
            r.createdAt ?? "",
          ]),
        ]);
  out.result({ jobs: rows }, text);
}

/** `cyxwiz job cancel <id> [--reason R]`: stops a job; its workers erase its data. */
export async function jobCancelCommand(
  id: string,
  opts: GatewayOptions & { reason?: string },
  out: Output,
): Promise<void> {
  const { clients } = await openGateway(opts);
  const job = jobOf(
    await call(`CancelJob ${id}`, clients.baseUrl, () => clients.jobs.cancelJob({ id, reason: opts.reason ?? "" })),
    `CancelJob ${id}`,
  );
  const d = describeJob(job);
  out.result({ job: d.id, state: d.state, reason: d.reason }, `cancelled ${d.id}: ${d.state}`);
}

/**
 * `cyxwiz job model <id> --out DIR`: the trained global model in TF.js format, written as
 * DIR/model.json and the weights file it names (checked against its weight specs first).
 */
export async function jobModelCommand(id: string, opts: GatewayOptions & { out: string }, out: Output): Promise<void> {
  const { clients } = await openGateway(opts);
  const model = await call(`GetModel ${id}`, clients.baseUrl, () => clients.jobs.getModel({ id }));
  const weightsFile = weightsFileOf(model.modelJson, model.weights);
  let written: Awaited<ReturnType<typeof writeModelFiles>>;
  try {
    written = await writeModelFiles(opts.out, model.modelJson, weightsFile, model.weights);
  } catch (e) {
    throw badInput(`cannot write the model to ${opts.out}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
  }
  out.result(
    {
      job: id,
      round: model.round,
      model: written.modelPath,
      weights: written.weightsPath,
      weightsBytes: model.weights.length,
    },
    written.modelPath,
  );
  out.note(`model of ${id} after round ${model.round}: ${written.modelPath}, ${written.weightsPath}`);
}
