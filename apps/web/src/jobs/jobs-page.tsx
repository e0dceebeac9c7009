"use client";

import { timestampDate } from "@bufbuild/protobuf/wkt";
import type { Client } from "@connectrpc/connect";
import type { DatasetService, Job } from "@cyxwiz/protocol/gen";
import { useCallback, useEffect, useState } from "react";
import { errorMessage, isAuthFailure } from "../gateway/error-message.js";
import type { ComputeClients } from "./compute-clients.js";
import { jobStateLabel } from "./job-labels.js";
import { lastAccuracy } from "./job-series.js";
import { JobSubmitForm } from "./job-submit-form.js";

type Load =
  | { readonly status: "loading" }
  | { readonly status: "error"; readonly message: string }
  | { readonly status: "ok"; readonly jobs: readonly Job[] };

/** The address of one job's page (a static export has no dynamic routes: the id is a query parameter). */
export function jobHref(id: string): string {
  return `/jobs/?id=${encodeURIComponent(id)}`;
}

/** The caller's jobs (ListJobs, newest first) and the "New job" form (docs/compute.md "Dashboard"). */
export function JobsPage({
  compute,
  datasets,
  openJob,
  onAuthFailure,
}: {
  compute: ComputeClients;
  datasets: Client<typeof DatasetService>;
  /** Goes to a job's page (after a submit). */
  openJob: (id: string) => void;
  onAuthFailure?: (message: string) => void;
}) {
  const [load, setLoad] = useState<Load>({ status: "loading" });
  const [formOpen, setFormOpen] = useState(false);

  const refresh = useCallback(async () => {
    try {
      const { jobs } = await compute.jobs.listJobs({});
      setLoad({ status: "ok", jobs });
    } catch (e) {
      const message = errorMessage(e, "Loading your jobs");
      if (isAuthFailure(e) && onAuthFailure !== undefined) onAuthFailure(message);
      else setLoad({ status: "error", message });
    }
  }, [compute, onAuthFailure]);

  useEffect(() => {
    void refresh();
  }, [refresh]);

  return (
    <div className="stack-lg">
      <header className="page-head row-between">
        <div>
          <h1>Jobs</h1>
          <p className="muted">
            Federated training on your datasets of samples: workers train on their shards, the gateway combines their
            updates each round and evaluates the model.
          </p>
        </div>
        <div className="actions">
          <button type="button" onClick={() => void refresh()} data-testid="jobs-refresh">
            Refresh
          </button>
          <button
            type="button"
            className="primary"
            aria-expanded={formOpen}
            onClick={() => setFormOpen((o) => !o)}
            data-testid="jobs-new"
          >
            {formOpen ? "Close form" : "New job"}
          </button>
        </div>
      </header>
      {formOpen && <JobSubmitForm datasets={datasets} jobs={compute.jobs} onSubmitted={(job) => openJob(job.id)} />}
      {load.status === "loading" && <p className="muted">Loading…</p>}
      {load.status === "error" && (
        <p className="error" role="alert" data-testid="jobs-error">
          {load.message}
        </p>
      )}
      {load.status === "ok" && load.jobs.length === 0 && (
        <p className="muted" data-testid="jobs-empty">
          No jobs yet.
        </p>
      )}
      {load.status === "ok" && load.jobs.length > 0 && (
        <div className="table-wrap">
          <table className="datasets" data-testid="jobs-table">
            <thead>
              <tr>
                <th>Job</th>
                <th>Dataset</th>
                <th>Model</th>
                <th>State</th>
                <th className="num">Round</th>
                <th className="num">Accuracy</th>
              </tr>
            </thead>
            <tbody>
              {load.jobs.map((job) => (
                <JobRow key={job.id} job={job} />
              ))}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}

function JobRow({ job }: { job: Job }) {
  const state = jobStateLabel(job.state);
  const accuracy = lastAccuracy(job);
  const model = job.spec?.model;
  return (
    <tr data-testid={`job-row-${job.id}`}>
      <td>
        <a href={jobHref(job.id)} data-testid={`job-link-${job.id}`}>
          <code>{job.id}</code>
        </a>
        {job.createdAt !== undefined && (
          <div className="muted small">created {timestampDate(job.createdAt).toLocaleString()}</div>
        )}
      </td>
      <td>{job.spec?.datasetRef}</td>
      <td>{model?.case === "preset" ? model.value : "JSON spec"}</td>
      <td>
        <span className={`status status-${state.name}`} data-testid={`job-row-state-${job.id}`} data-state={state.name}>
          {state.label}
        </span>
        {job.reason !== "" && <div className="muted small">{job.reason}</div>}
      </td>
      <td className="num" data-testid={`job-row-round-${job.id}`}>
        {job.currentRound}/{job.spec?.rounds ?? "?"}
      </td>
      <td className="num" data-testid={`job-row-accuracy-${job.id}`}>
        {accuracy === undefined ? "–" : `${(accuracy * 100).toFixed(1)}%`}
      </td>
    </tr>
  );
}
