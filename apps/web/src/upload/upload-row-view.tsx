"use client";

import { formatBytes, formatRate } from "@cyxwiz/protocol/units";
import { formatEta, percentDone } from "../format/progress-format.js";
import { CopyButton } from "../ui/copy-button.js";
import { SamplePanel } from "./sample-panel.js";
import { sampleBlocker } from "./sample-row.js";
import {
  CLASSIFICATION_OPTIONS,
  COMPRESSION_OPTIONS,
  classificationLabel,
  datasetNameProblem,
  encryptionForced,
  escrowAllowed,
  withClassification,
} from "./upload-choices.js";
import { useUploadManager } from "./upload-manager.js";
import { isActive, type UploadPhase, type UploadRow } from "./upload-rows.js";

const PHASE_LABELS: Readonly<Record<UploadPhase, string>> = {
  ready: "Ready",
  queued: "Queued",
  starting: "Preparing…",
  uploading: "Uploading",
  pausing: "Pausing…",
  paused: "Paused",
  reconnecting: "Reconnecting…",
  committing: "Committing…",
  committed: "Committed",
  failed: "Failed",
  cancelling: "Cancelling…",
  cancelled: "Cancelled",
};

/** One file: its choices before it starts, then its progress, controls and result. */
export function UploadRowView({ row }: { row: UploadRow }) {
  const manager = useUploadManager();
  const f = row.file.name;
  const { choices } = row;
  const editable = row.phase === "ready";
  const p = row.progress;
  const acked = p?.bytesAcked ?? 0;
  const total = p?.totalBytes ?? row.file.size;
  const percent = row.phase === "committed" ? 100 : percentDone(acked, total);
  const nameProblem = editable ? datasetNameProblem(choices.name) : undefined;
  const blocker = editable ? sampleBlocker(row.sample) : undefined;

  return (
    <li className={`upload-row phase-${row.phase}`} data-testid={`upload-row-${f}`} data-phase={row.phase}>
      <div className="upload-head">
        <div className="file-title">
          <strong className="file-name">{f}</strong>
          <span className="muted"> · {formatBytes(row.file.size)}</span>
          {row.fromSaved && <span className="badge">resumed</span>}
        </div>
        <span className={`status status-${row.phase}`} data-testid={`upload-status-${f}`} data-phase={row.phase}>
          {PHASE_LABELS[row.phase]}
        </span>
      </div>

      {!editable && (
        <p className="summary muted" data-testid={`upload-summary-${f}`}>
          as “{choices.name}” · {classificationLabel(choices.classification)} ·{" "}
          {choices.encrypt ? "encrypted" : "not encrypted"}
          {choices.escrow ? " · key escrowed" : ""} · compression {row.codec ?? choices.compression}
          {row.codec !== undefined && row.codec !== choices.compression
            ? ` (${choices.compression} did not shrink the first chunk enough)`
            : ""}
          {choices.samples === undefined
            ? ""
            : ` · dataset of samples${choices.samples.plan.length > 0 ? `, ${choices.samples.plan.length} anonymizer step${choices.samples.plan.length === 1 ? "" : "s"}` : ""}${choices.samples.order === undefined ? "" : `, ${choices.samples.order.shards} ${choices.samples.order.strategy} shards`}`}
        </p>
      )}
      {editable && (
        <fieldset className="choices">
          <label>
            Dataset name
            <input
              value={choices.name}
              onChange={(e) => manager.setChoices(row.id, { ...choices, name: e.target.value })}
              aria-invalid={nameProblem !== undefined}
              data-testid={`upload-name-${f}`}
            />
          </label>
          <label>
            Classification
            <select
              value={choices.classification}
              onChange={(e) => manager.setChoices(row.id, withClassification(choices, Number(e.target.value)))}
              data-testid={`upload-classification-${f}`}
            >
              {CLASSIFICATION_OPTIONS.map((o) => (
                <option key={o.value} value={o.value}>
                  {o.label}
                </option>
              ))}
            </select>
          </label>
          <label>
            Compression
            <select
              value={choices.compression}
              onChange={(e) =>
                manager.setChoices(row.id, { ...choices, compression: e.target.value as typeof choices.compression })
              }
              data-testid={`upload-compression-${f}`}
            >
              {COMPRESSION_OPTIONS.map((o) => (
                <option key={o.value} value={o.value}>
                  {o.label}
                </option>
              ))}
            </select>
          </label>
          <label
            className="check"
            title={encryptionForced(choices.classification) ? "Required from Confidential up" : undefined}
          >
            <input
              type="checkbox"
              checked={choices.encrypt}
              disabled={encryptionForced(choices.classification)}
              onChange={(e) => manager.setChoices(row.id, { ...choices, encrypt: e.target.checked })}
              data-testid={`upload-encrypt-${f}`}
            />
            Encrypt{encryptionForced(choices.classification) ? " (required)" : ""}
          </label>
          {escrowAllowed(choices.classification, true) && (
            <label
              className="check"
              title="The gateway keeps a wrapped copy of the key so it can send shards to workers on its own"
            >
              <input
                type="checkbox"
                checked={choices.escrow}
                disabled={!choices.encrypt}
                onChange={(e) => manager.setChoices(row.id, { ...choices, escrow: e.target.checked })}
                data-testid={`upload-escrow-${f}`}
              />
              Escrow key to gateway
            </label>
          )}
        </fieldset>
      )}
      {nameProblem !== undefined && <p className="error">{nameProblem}</p>}
      {editable && row.sample !== undefined && <SamplePanel id={row.id} f={f} sample={row.sample} />}
      {blocker !== undefined && row.sample?.status === "samples" && (
        <p className="warning small" data-testid={`upload-blocker-${f}`}>
          {blocker}
        </p>
      )}

      {row.phase !== "ready" && (
        <div className="progress-block">
          <progress max={100} value={percent} aria-label={`Upload of ${f}`} data-testid={`upload-progress-${f}`} />
          <div className="progress-figures">
            <span data-testid={`upload-percent-${f}`}>{percent}%</span>
            <span data-testid={`upload-bytes-${f}`}>
              {formatBytes(row.phase === "committed" ? total : acked)} of {formatBytes(total)}
            </span>
            {row.phase !== "committed" && row.phase !== "queued" && (
              <>
                <span data-testid={`upload-rate-${f}`}>
                  {row.phase === "uploading" ? formatRate(p?.bytesPerSecond ?? 0) : "–"}
                </span>
                <span data-testid={`upload-eta-${f}`}>
                  ETA {row.phase === "uploading" ? formatEta(p?.etaSeconds) : "–"}
                </span>
              </>
            )}
            {p !== undefined && (
              <span className="muted">
                {p.chunksAcked} of {p.totalChunks} chunks
              </span>
            )}
          </div>
        </div>
      )}

      {row.message !== undefined && (
        <p
          className={row.phase === "failed" ? "error" : "notice"}
          role={row.phase === "failed" ? "alert" : "status"}
          data-testid={`upload-message-${f}`}
        >
          {row.message}
        </p>
      )}

      {row.phase === "committed" && row.merkleRootHex !== undefined && (
        <div className="result">
          <div>
            Committed as <strong data-testid={`upload-ref-${f}`}>{row.ref}</strong>
            {row.keyEscrowed === true ? " · key escrowed to the gateway" : ""}
          </div>
          <div className="root-line">
            Merkle root{" "}
            <code className="hex" data-testid={`upload-root-${f}`}>
              {row.merkleRootHex}
            </code>
            <CopyButton text={row.merkleRootHex} label="Copy root" />
          </div>
        </div>
      )}

      {row.keyHex !== undefined && row.phase !== "cancelled" && (
        <p
          className={`key-note${row.phase === "committed" && !row.keyExported && row.keyEscrowed !== true ? " warn" : ""}`}
        >
          {row.keyExported
            ? "Recovery key exported. Keep it safe: whoever holds it can read this dataset."
            : row.keyEscrowed === true
              ? "The gateway holds an escrowed copy of the key; you may still export your own."
              : "This dataset is encrypted with a key generated in this browser. Export it now: without it the data cannot be read."}
        </p>
      )}

      <div className="actions">
        {row.phase === "ready" && (
          <button
            type="button"
            className="primary"
            disabled={nameProblem !== undefined || blocker !== undefined}
            onClick={() => manager.start(row.id)}
            data-testid={`upload-start-${f}`}
          >
            Upload
          </button>
        )}
        {(row.phase === "uploading" || row.phase === "reconnecting" || row.phase === "starting") && (
          <button type="button" onClick={() => manager.pause(row.id)} data-testid={`upload-pause-${f}`}>
            Pause
          </button>
        )}
        {(row.phase === "paused" || row.phase === "pausing") && (
          <button
            type="button"
            className="primary"
            onClick={() => manager.resume(row.id)}
            data-testid={`upload-resume-${f}`}
          >
            Resume
          </button>
        )}
        {row.phase === "failed" && (
          <button
            type="button"
            className="primary"
            onClick={() => manager.start(row.id)}
            data-testid={`upload-retry-${f}`}
          >
            Retry
          </button>
        )}
        {row.keyHex !== undefined && row.phase !== "cancelled" && (
          <button type="button" onClick={() => manager.exportKey(row.id)} data-testid={`upload-export-key-${f}`}>
            Export recovery key
          </button>
        )}
        {(isActive(row.phase) || row.phase === "failed" || row.phase === "ready") && (
          <button
            type="button"
            className="danger"
            disabled={row.phase === "cancelling" || row.phase === "committing"}
            onClick={() => manager.cancel(row.id)}
            data-testid={`upload-cancel-${f}`}
          >
            {row.phase === "ready" ? "Remove" : "Cancel"}
          </button>
        )}
        {(row.phase === "committed" || row.phase === "cancelled") && (
          <button
            type="button"
            className="subtle"
            onClick={() => manager.remove(row.id)}
            data-testid={`upload-dismiss-${f}`}
          >
            Dismiss
          </button>
        )}
      </div>
    </li>
  );
}
