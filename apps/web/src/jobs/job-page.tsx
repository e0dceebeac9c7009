"use client";

import { timestampDate } from "@bufbuild/protobuf/wkt";
import type { Client } from "@connectrpc/connect";
import { type DatasetService, type Job, JobState, type Round } from "@cyxwiz/protocol/gen";
import { isJobFinished, nodeKindName, workerStateName } from "@cyxwiz/protocol/vocab";
import { useState } from "react";
import { saveBlob } from "../download/save-target.js";
import { errorMessage } from "../gateway/error-message.js";
import type { DatasetKeyOwner } from "../keys/dataset-key-store.js";
import type { ComputeClients } from "./compute-clients.js";
import { JobCharts } from "./job-charts.js";
import { jobStateLabel, roundCloseLabel, shortNodeId } from "./job-labels.js";
import { lastAccuracy } from "./job-series.js";
import { jobSettings } from "./job-settings.js";
import { type DatasetKeyLoader, KeyGrantPanel } from "./key-grant-panel.js";
import { modelFiles } from "./model-download.js";
import { useJobWatch, type WatchMode, type WatchTimings } from "./use-job-watch.js";

/** What the job page needs: the compute clients, the dataset service (for key grants), who the owner is. */
export interface JobPageProps {
  readonly id: string;
  readonly compute: ComputeClients;
  readonly datasets: Client<typeof DatasetService>;
  readonly owner: DatasetKeyOwner;
  readonly loadKey?: DatasetKeyLoader;
  readonly timings?: WatchTimings;
}

const MODE_WORDS: Record<WatchMode, string> = {
  connecting: "connecting…",
  live: "live",
  reconnecting: "reconnecting…",
  polling: "refreshing every few seconds (the live stream failed)",
  ended: "finished",
};

/** One job, live (docs/compute.md "Dashboard"): header, curves, rounds, workers, cancel, model, key grants. */
export function JobPage({ id, compute, datasets, owner, loadKey, timings }: JobPageProps) {
  const { job, mode, error, replace } = useJobWatch(compute, id, timings);
  return (
    <div className="stack-lg">
      <p className="small">
        <a href="/jobs/">← All jobs</a>
      </p>
      {job === undefined ? (
        error === undefined ? (
          <p className="muted">Loading job {id}…</p>
        ) : (
          <p className="error" role="alert" data-testid="job-error">
            {error}
          </p>
        )
      ) : (
        <>
          <JobHeader job={job} mode={mode} error={error} />
          <KeyGrantPanel
            job={job}
            datasets={datasets}
            jobs={compute.jobs}
            owner={owner}
            onGranted={replace}
            {...(loadKey === undefined ? {} : { loadKey })}
          />
          <JobActions job={job} compute={compute} onChanged={replace} />
          <JobCharts job={job} />
          <RoundTimeline rounds={job.rounds} />
          <WorkerTable job={job} />
          <JobSettings job={job} />
        </>
      )}
    </div>
  );
}

function JobHeader({ job, mode, error }: { job: Job; mode: WatchMode; error: string | undefined }) {
  const state = jobStateLabel(job.state);
  const accuracy = lastAccuracy(job);
  const model = job.spec?.model;
  return (
    <header className="page-head stack">
      <div className="row-between">
        <h1 className="job-title">
          Job <code data-testid="job-id">{job.id}</code>
        </h1>
        <span className={`status status-${state.name}`} data-testid="job-state" data-state={state.name}>
          {state.label}
        </span>
      </div>
      {job.reason !== "" && (
        <p className={job.state === JobState.FAILED ? "error" : "notice"} data-testid="job-reason">
          {job.reason}
        </p>
      )}
      <dl className="job-facts">
        <div>
          <dt>Dataset</dt>
          <dd data-testid="job-dataset">{job.spec?.datasetRef}</dd>
        </div>
        <div>
          <dt>Model</dt>
          <dd data-testid="job-model">
            {model?.case === "preset" ? model.value : model?.case === "modelJson" ? "JSON model spec" : "–"}
          </dd>
        </div>
        <div>
          <dt>Round</dt>
          <dd data-testid="job-round">
            {job.currentRound}/{job.spec?.rounds ?? "?"}
          </dd>
        </div>
        <div>
          <dt>Accuracy</dt>
          <dd data-testid="job-accuracy" data-value={accuracy === undefined ? "" : String(accuracy)}>
            {accuracy === undefined ? "–" : `${(accuracy * 100).toFixed(1)}%`}
          </dd>
        </div>
        <div>
          <dt>Updates</dt>
          <dd className="muted small" data-testid="job-watch-mode" data-mode={mode}>
            {MODE_WORDS[mode]}
          </dd>
        </div>
      </dl>
      {error !== undefined && (
        <p className="warning small" role="status" data-testid="job-watch-error">
          {error}
        </p>
      )}
    </header>
  );
}

function JobActions({ job, compute, onChanged }: { job: Job; compute: ComputeClients; onChanged: (job: Job) => void }) {
  const [confirming, setConfirming] = useState(false);
  const [busy, setBusy] = useState<"cancel" | "download" | undefined>();
  const [problem, setProblem] = useState<string | undefined>();
  const [saved, setSaved] = useState<string | undefined>();
  const canDownload = job.rounds.some((r) => r.closedAt !== undefined);

  async function cancel() {
    setBusy("cancel");
    setProblem(undefined);
    try {
      const { job: after } = await compute.jobs.cancelJob({ id: job.id, reason: "cancelled from the dashboard" });
      if (after !== undefined) onChanged(after);
      setConfirming(false);
    } catch (e) {
      setProblem(errorMessage(e, `Cancelling job ${job.id}`));
    } finally {
      setBusy(undefined);
    }
  }

  async function download() {
    setBusy("download");
    setProblem(undefined);
    setSaved(undefined);
    try {
      const model = await compute.jobs.getModel({ id: job.id });
      const files = modelFiles(model);
      saveBlob(files.modelJson.name, new Blob([files.modelJson.text], { type: "application/json" }));
      saveBlob(
        files.weights.name,
        new Blob([files.weights.bytes as Uint8Array<ArrayBuffer>], { type: "application/octet-stream" }),
      );
      setSaved(`Saved model.json and ${files.weights.name} (round ${model.round}).`);
    } catch (e) {
      setProblem(errorMessage(e, "Downloading the model"));
    } finally {
      setBusy(undefined);
    }
  }

  return (
    <div className="stack">
      <div className="actions">
        <button
          type="button"
          onClick={() => void download()}
          disabled={!canDownload || busy !== undefined}
          title={canDownload ? "model.json and its weights, in TF.js format" : "No round has closed yet"}
          data-testid="job-download-model"
        >
          {busy === "download" ? "Downloading…" : "Download model"}
        </button>
        {!isJobFinished(job.state) &&
          (confirming ? (
            <>
              <button
                type="button"
                className="danger"
                onClick={() => void cancel()}
                disabled={busy !== undefined}
                data-testid="job-cancel-confirm"
              >
                {busy === "cancel" ? "Cancelling…" : "Cancel the job for good"}
              </button>
              <button
                type="button"
                className="subtle"
                onClick={() => setConfirming(false)}
                data-testid="job-cancel-keep"
              >
                Keep it running
              </button>
            </>
          ) : (
            <button type="button" className="danger" onClick={() => setConfirming(true)} data-testid="job-cancel">
              Cancel job
            </button>
          ))}
      </div>
      {problem !== undefined && (
        <p className="error small" role="alert" data-testid="job-action-error">
          {problem}
        </p>
      )}
      {saved !== undefined && (
        <p className="ok small" role="status" data-testid="job-download-done">
          {saved}
        </p>
      )}
    </div>
  );
}

function time(t: Round["startedAt"]): string {
  return t === undefined ? "–" : timestampDate(t).toLocaleTimeString();
}

function RoundTimeline({ rounds }: { rounds: readonly Round[] }) {
  return (
    <section className="stack" aria-labelledby="rounds-title">
      <h2 id="rounds-title">Rounds</h2>
      {rounds.length === 0 ? (
        <p className="muted small">No round has started yet.</p>
      ) : (
        <ol className="round-timeline" data-testid="job-rounds">
          {[...rounds]
            .sort((a, b) => a.round - b.round)
            .map((r) => {
              const closedBy = roundCloseLabel(r.closedBy);
              return (
                <li key={r.round} data-testid={`job-round-${r.round}`} data-closed-by={closedBy ?? "open"}>
                  <strong>Round {r.round}</strong> · started {time(r.startedAt)}
                  {r.closedAt !== undefined && (
                    <>
                      {" "}
                      · closed {time(r.closedAt)}
                      {closedBy === undefined ? "" : ` by ${closedBy}`}
                    </>
                  )}{" "}
                  · {r.updatesAccepted} accepted, {r.updatesRejected} rejected
                  {r.global !== undefined && (
                    <span className="muted">
                      {" "}
                      · loss {r.global.loss.toFixed(4)}, accuracy {(r.global.accuracy * 100).toFixed(1)}%
                    </span>
                  )}
                  {r.workers
                    .filter((w) => !w.accepted && w.reason !== "")
                    .map((w) => (
                      <div key={w.nodeId} className="small error">
                        {shortNodeId(w.nodeId)} rejected: {w.reason}
                      </div>
                    ))}
                </li>
              );
            })}
        </ol>
      )}
    </section>
  );
}

/** The settings the job runs with, defaults included, folded away until asked for. */
function JobSettings({ job }: { job: Job }) {
  if (job.spec === undefined) return null;
  return (
    <details className="job-settings-section" data-testid="job-settings">
      <summary>
        <h2>Settings</h2>
      </summary>
      <dl className="job-settings">
        {jobSettings(job.spec).map((s) => (
          <div key={s.key}>
            <dt>{s.label}</dt>
            <dd data-testid={`job-setting-${s.key}`}>{s.value}</dd>
          </div>
        ))}
      </dl>
    </details>
  );
}

function WorkerTable({ job }: { job: Job }) {
  return (
    <section className="stack" aria-labelledby="workers-title">
      <h2 id="workers-title">Workers</h2>
      {job.workers.length === 0 ? (
        <p className="muted small">No worker has been assigned yet.</p>
      ) : (
        <div className="table-wrap">
          <table className="datasets" data-testid="job-workers">
            <thead>
              <tr>
                <th>Worker</th>
                <th>Kind</th>
                <th>Backend</th>
                <th className="num">Shard</th>
                <th className="num">Samples</th>
                <th className="num">Samples/s</th>
                <th>State</th>
              </tr>
            </thead>
            <tbody>
              {job.workers.map((w) => (
                <tr key={w.nodeId} data-testid={`job-worker-${w.nodeId}`}>
                  <td>
                    <strong>{w.label || "(no label)"}</strong>
                    <div className="muted small hex" title={w.nodeId}>
                      {shortNodeId(w.nodeId)}
                    </div>
                  </td>
                  <td>{nodeKindName(w.kind)}</td>
                  <td data-testid={`job-worker-backend-${w.nodeId}`}>{w.backend || "–"}</td>
                  <td className="num">{w.shard}</td>
                  <td className="num">{w.shardSamples.toLocaleString("en-US")}</td>
                  <td className="num">{w.samplesPerSecond > 0 ? w.samplesPerSecond.toFixed(0) : "–"}</td>
                  <td data-testid={`job-worker-state-${w.nodeId}`}>{workerStateName(w.state)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
