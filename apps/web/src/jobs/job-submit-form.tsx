"use client";

import type { Client } from "@connectrpc/connect";
import type { DatasetService, Job, JobService } from "@cyxwiz/protocol/gen";
import { AGGREGATION_RULES, EVALUATION_SPLITS } from "@cyxwiz/protocol/vocab";
import { OPTIMIZERS, PRESET_NAMES } from "@cyxwiz/training";
import { type FormEvent, useEffect, useState } from "react";
import { errorMessage } from "../gateway/error-message.js";
import { ClassHistogram } from "../preview/class-histogram.js";
import { ShardPreviewChart } from "../preview/shard-preview-chart.js";
import { ShardingPanel } from "../preview/sharding-panel.js";
import { jobShardPreview } from "./job-shard-preview.js";
import {
  AGGREGATION_LABELS,
  checkJobDraft,
  defaultJobDraft,
  JOB_SHARDING_OPTIONS,
  type JobDraft,
  type JobDraftField,
} from "./job-spec-form.js";
import { listSampleDatasets, type SampleDataset } from "./sample-datasets.js";

type Datasets =
  | { readonly status: "loading" }
  | { readonly status: "error"; readonly message: string }
  | { readonly status: "ok"; readonly list: readonly SampleDataset[] };

/** The most workers (shards) a job may ask for from this form. */
const MAX_WORKERS = 64;

/**
 * "New job": the JobSpec fields with the defaults of docs/compute.md "Dashboard", checked as typed
 * (a JSON model spec is checked by validateModelSpec before anything is sent); SubmitJob's refusal
 * is shown as the gateway words it.
 */
export function JobSubmitForm({
  datasets,
  jobs,
  onSubmitted,
}: {
  datasets: Client<typeof DatasetService>;
  jobs: Client<typeof JobService>;
  onSubmitted: (job: Job) => void;
}) {
  const [list, setList] = useState<Datasets>({ status: "loading" });
  const [draft, setDraft] = useState<JobDraft>(() => defaultJobDraft());
  const [attempted, setAttempted] = useState(false);
  const [sending, setSending] = useState(false);
  const [refusal, setRefusal] = useState<string | undefined>();

  useEffect(() => {
    let live = true;
    listSampleDatasets(datasets).then(
      (found) => {
        if (!live) return;
        setList({ status: "ok", list: found });
        const first = found[0];
        if (first !== undefined) setDraft((d) => (d.datasetRef === "" ? withDataset(d, first) : d));
      },
      (e: unknown) => live && setList({ status: "error", message: errorMessage(e, "Loading your datasets") }),
    );
    return () => {
      live = false;
    };
  }, [datasets]);

  const checked = checkJobDraft(draft);
  const chosen = list.status === "ok" ? list.list.find((d) => d.ref === draft.datasetRef) : undefined;
  const shards = chosen === undefined ? undefined : safely(() => jobShardPreview(chosen.layout, draft.sharding));
  // A JSON model spec is checked as it is typed; other fields once Submit was pressed.
  const shown = !checked.ok && (attempted || checked.field === "modelJson") ? checked : undefined;
  const invalid = (field: JobDraftField) => (shown?.field === field ? true : undefined);
  const set =
    (field: keyof JobDraft) =>
    (event: { target: { value: string } }): void =>
      setDraft((d) => ({ ...d, [field]: event.target.value }));

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setAttempted(true);
    setRefusal(undefined);
    if (!checked.ok) return;
    setSending(true);
    try {
      const { job } = await jobs.submitJob({ spec: checked.spec });
      if (job === undefined) throw new Error("the gateway answered without the job");
      onSubmitted(job);
    } catch (e) {
      setRefusal(errorMessage(e, "Submitting the job"));
    } finally {
      setSending(false);
    }
  }

  return (
    <form className="card stack job-form" onSubmit={submit} noValidate data-testid="job-form">
      <h2>New job</h2>
      {list.status === "loading" && <p className="muted small">Loading your datasets…</p>}
      {list.status === "error" && (
        <p className="error small" role="alert" data-testid="job-datasets-error">
          {list.message}
        </p>
      )}
      {list.status === "ok" && list.list.length === 0 && (
        <p className="muted small" data-testid="job-no-datasets">
          No dataset of samples yet: upload one (with "Read as samples") first.
        </p>
      )}
      <fieldset className="choices">
        <label>
          Dataset
          <select
            value={draft.datasetRef}
            onChange={(e) => {
              const next = list.status === "ok" ? list.list.find((d) => d.ref === e.target.value) : undefined;
              if (next !== undefined) setDraft((d) => withDataset(d, next));
            }}
            aria-invalid={invalid("datasetRef")}
            data-testid="job-dataset"
          >
            {draft.datasetRef === "" && <option value="">Choose…</option>}
            {list.status === "ok" &&
              list.list.map((d) => (
                <option key={d.ref} value={d.ref}>
                  {d.ref} ({Number(d.layout.numSamples).toLocaleString("en-US")} samples
                  {d.encrypted ? ", encrypted" : ""})
                </option>
              ))}
          </select>
        </label>
        <label>
          Model
          <select
            value={draft.modelSource === "json" ? "json" : draft.preset}
            onChange={(e) =>
              setDraft((d) =>
                e.target.value === "json"
                  ? { ...d, modelSource: "json" }
                  : { ...d, modelSource: "preset", preset: e.target.value },
              )
            }
            aria-invalid={invalid("preset")}
            data-testid="job-model"
          >
            {PRESET_NAMES.map((p) => (
              <option key={p} value={p}>
                {p}
              </option>
            ))}
            <option value="json">JSON model spec…</option>
          </select>
        </label>
        <label>
          Optimizer
          <select value={draft.optimizer} onChange={set("optimizer")} data-testid="job-optimizer">
            {OPTIMIZERS.map((o) => (
              <option key={o} value={o}>
                {o}
              </option>
            ))}
          </select>
        </label>
        <NumberField label="Learning rate" field="learningRate" draft={draft} set={set} invalid={invalid} />
      </fieldset>
      {draft.modelSource === "json" && (
        <label>
          JSON model spec (docs/training.md)
          <textarea
            rows={8}
            spellCheck={false}
            value={draft.modelJson}
            onChange={set("modelJson")}
            placeholder='{"inputShape": [784], "layers": [{"type": "dense", "units": 64, "activation": "relu"}]}'
            aria-invalid={invalid("modelJson")}
            className="hex"
            data-testid="job-model-json"
          />
        </label>
      )}
      <fieldset className="choices">
        <NumberField label="Batch size" field="batchSize" draft={draft} set={set} invalid={invalid} />
        <NumberField label="Rounds" field="rounds" draft={draft} set={set} invalid={invalid} />
        <NumberField label="Local epochs" field="localEpochs" draft={draft} set={set} invalid={invalid} />
        <NumberField label="Fewest workers" field="minWorkers" draft={draft} set={set} invalid={invalid} />
      </fieldset>
      <div className="stack">
        <p className="small muted">
          Sharding: one shard per worker, so the shard count is the most workers the job uses.
        </p>
        {chosen !== undefined && !chosen.columnsReadable && (
          <p className="small notice" data-testid="job-sharding-sample-only">
            {chosen.ref} is encrypted and its key is not escrowed, so the gateway cannot read its columns: it can shard
            it by sample only (class-balanced and hash read the label or a key column).
          </p>
        )}
        <ShardingPanel
          key={draft.datasetRef}
          strategies={strategiesFor(chosen)}
          columns={chosen?.layout.columns.map((c) => c.name) ?? []}
          initial={{ ...draft.sharding, column: chosen?.layout.labelColumn || draft.sharding.column }}
          maxShards={MAX_WORKERS}
          onChange={(sharding) => setDraft((d) => ({ ...d, sharding }))}
        />
        {shards !== undefined && <ShardPreviewChart shards={shards} />}
      </div>
      <fieldset className="choices">
        <label>
          Evaluation split
          <select value={draft.evaluationSplit} onChange={set("evaluationSplit")} data-testid="job-evaluation-split">
            {EVALUATION_SPLITS.map((s) => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
          </select>
        </label>
        <NumberField
          label="Round deadline (s)"
          field="roundDeadlineSeconds"
          draft={draft}
          set={set}
          invalid={invalid}
        />
        <NumberField label="Quorum" field="quorum" draft={draft} set={set} invalid={invalid} />
        <label>
          Aggregation
          <select value={draft.aggregation} onChange={set("aggregation")} data-testid="job-aggregation">
            {AGGREGATION_RULES.map((r) => (
              <option key={r} value={r}>
                {AGGREGATION_LABELS[r]}
              </option>
            ))}
          </select>
        </label>
        {draft.aggregation === "trimmed-mean" && (
          <NumberField label="Trim fraction" field="trimFraction" draft={draft} set={set} invalid={invalid} />
        )}
        {draft.aggregation === "krum" && (
          <NumberField label="Byzantine updates" field="byzantine" draft={draft} set={set} invalid={invalid} />
        )}
        <NumberField
          label="Server learning rate"
          field="serverLearningRate"
          draft={draft}
          set={set}
          invalid={invalid}
        />
        <NumberField
          label="Shift images by (px)"
          field="augmentShiftPixels"
          draft={draft}
          set={set}
          invalid={invalid}
        />
      </fieldset>
      {chosen !== undefined && chosen.layout.labelHistogram.length > 0 && (
        <ClassHistogram
          title={`Samples per class in ${chosen.ref}`}
          height={160}
          classes={chosen.layout.labelHistogram.map((c) => ({ label: c.label, count: Number(c.count) }))}
        />
      )}
      {shown !== undefined && (
        <p className="error small" role="alert" data-testid="job-form-error" data-field={shown.field}>
          {shown.message}
        </p>
      )}
      {refusal !== undefined && (
        <p className="error small" role="alert" data-testid="job-submit-error">
          {refusal}
        </p>
      )}
      <div className="actions">
        <button type="submit" className="primary" disabled={sending} data-testid="job-submit">
          {sending ? "Submitting…" : "Submit job"}
        </button>
      </div>
    </form>
  );
}

/** The preview, or none when the strategy refuses this spec (the panel and the gateway say why). */
function safely<T>(make: () => T): T | undefined {
  try {
    return make();
  } catch {
    return undefined;
  }
}

/** The draft with `dataset` chosen: its label column becomes the sharding column. */
/** The strategies a job on `dataset` may use: those reading a column only when the gateway can read it. */
function strategiesFor(dataset: SampleDataset | undefined) {
  return dataset === undefined || dataset.columnsReadable
    ? JOB_SHARDING_OPTIONS
    : JOB_SHARDING_OPTIONS.filter((o) => o.needsColumn !== true);
}

function withDataset(d: JobDraft, dataset: SampleDataset): JobDraft {
  const column = dataset.layout.labelColumn || undefined;
  const { column: _old, ...kept } = d.sharding;
  const allowed = strategiesFor(dataset);
  const sharding = allowed.some((o) => o.name === kept.strategy) ? kept : { ...kept, strategy: allowed[0]!.name };
  return { ...d, datasetRef: dataset.ref, sharding: column === undefined ? sharding : { ...sharding, column } };
}

/** The test id of a number field: "job-" and its field name in kebab case (job-learning-rate). */
export function fieldTestId(field: JobDraftField): string {
  return `job-${field.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
}

function NumberField({
  label,
  field,
  draft,
  set,
  invalid,
}: {
  label: string;
  field: Exclude<JobDraftField, "sharding" | "datasetRef" | "preset" | "modelJson">;
  draft: JobDraft;
  set: (field: keyof JobDraft) => (event: { target: { value: string } }) => void;
  invalid: (field: JobDraftField) => true | undefined;
}) {
  return (
    <label>
      {label}
      <input
        type="text"
        inputMode="decimal"
        value={String(draft[field])}
        onChange={set(field)}
        aria-invalid={invalid(field)}
        className="sharding-number"
        data-testid={fieldTestId(field)}
      />
    </label>
  );
}
