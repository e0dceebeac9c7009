"use client";

import { formatBytes } from "@cyxwiz/protocol/units";
import { type DragEvent, useEffect, useRef, useState } from "react";
import type { UploadRecord } from "./idb-transfer-state-store.js";
import { sampleBlocker } from "./sample-row.js";
import { classificationLabel } from "./upload-choices.js";
import { useUploadManager } from "./upload-manager.js";
import { UploadRowView } from "./upload-row-view.js";

/** The upload page: warnings, unfinished uploads to resume, the drop zone and one row per file. */
export function UploadPage() {
  const manager = useUploadManager();
  const [dragging, setDragging] = useState(false);
  const [problems, setProblems] = useState<string[]>([]);
  const [readSamples, setReadSamples] = useState(true);
  const input = useRef<HTMLInputElement>(null);
  const folderInput = useRef<HTMLInputElement>(null);
  // React's types do not know `webkitdirectory`: set it on the element.
  useEffect(() => folderInput.current?.setAttribute("webkitdirectory", ""), []);

  const add = (files: readonly File[]) => setProblems(manager.addFiles(files, { samples: readSamples }));
  const onDrop = (event: DragEvent<HTMLElement>) => {
    event.preventDefault();
    setDragging(false);
    const files = [...event.dataTransfer.files];
    if (files.length === 0) {
      setProblems(["Only files can be dropped here (folders are not uploaded)."]);
      return;
    }
    add(files);
  };
  const ready = manager.rows.filter((r) => r.phase === "ready");
  const readyBlocked = ready.some((r) => sampleBlocker(r.sample) !== undefined);

  return (
    <div className="stack-lg">
      <header className="page-head">
        <h1>Upload datasets</h1>
        <p className="muted">
          Files are split into chunks, hashed, optionally compressed and encrypted in a background worker of this tab,
          then streamed to the gateway. An interrupted upload resumes where it stopped, even after a reload.
        </p>
      </header>

      {manager.warnings.map((w) => (
        <p key={w} className="warning" role="alert" data-testid="crypto-warning">
          {w}
        </p>
      ))}

      {manager.savedError !== undefined && (
        <p className="error" role="alert">
          {manager.savedError}
        </p>
      )}
      {manager.saved.length > 0 && (
        <section className="card" aria-labelledby="saved-title" data-testid="unfinished-uploads">
          <h2 id="saved-title">Unfinished uploads</h2>
          <p className="muted">
            These uploads were interrupted. Choose the same file again to send only the chunks the gateway does not have
            yet.
          </p>
          <ul className="saved-list">
            {manager.saved.map((record) => (
              <SavedUploadItem key={record.key} record={record} />
            ))}
          </ul>
        </section>
      )}

      <section
        aria-label="Drop files to upload"
        className={`drop-zone${dragging ? " dragging" : ""}`}
        onDragOver={(e) => {
          e.preventDefault();
          setDragging(true);
        }}
        onDragLeave={() => setDragging(false)}
        onDrop={onDrop}
        data-testid="upload-drop-zone"
      >
        <p>
          <strong>Drop files here</strong> or{" "}
          <button type="button" className="link" onClick={() => input.current?.click()}>
            choose files
          </button>{" "}
          or{" "}
          <button type="button" className="link" onClick={() => folderInput.current?.click()}>
            a folder of images
          </button>
        </p>
        <input
          ref={folderInput}
          type="file"
          multiple
          className="visually-hidden"
          onChange={(e) => {
            add([...(e.target.files ?? [])]);
            e.target.value = "";
          }}
          data-testid="upload-folder-input"
        />
        <input
          ref={input}
          type="file"
          multiple
          className="visually-hidden"
          onChange={(e) => {
            add([...(e.target.files ?? [])]);
            e.target.value = "";
          }}
          data-testid="upload-file-input"
        />
        <label className="check small">
          <input
            type="checkbox"
            checked={readSamples}
            onChange={(e) => setReadSamples(e.target.checked)}
            data-testid="upload-read-samples"
          />
          Read datasets as samples (CSV, Parquet, NumPy, IDX, images: preview, personal-data scan, sharding). Off: every
          file uploads as bytes, as it is.
        </label>
      </section>
      {problems.map((p) => (
        <p key={p} className="error" role="alert">
          {p}
        </p>
      ))}

      {manager.rows.length > 0 && (
        <section aria-label="Files">
          {ready.length > 1 && (
            <div className="actions">
              <button
                type="button"
                className="primary"
                disabled={readyBlocked}
                title={readyBlocked ? "Some files are still being read or need a decision" : undefined}
                onClick={() => {
                  for (const r of ready) manager.start(r.id);
                }}
                data-testid="upload-start-all"
              >
                Upload all {ready.length} files
              </button>
            </div>
          )}
          <ul className="upload-list">
            {manager.rows.map((row) => (
              <UploadRowView key={row.id} row={row} />
            ))}
          </ul>
        </section>
      )}
    </div>
  );
}

/** One saved, unfinished upload: pick its file again to resume, export its key, or discard it. */
function SavedUploadItem({ record }: { record: UploadRecord }) {
  const manager = useUploadManager();
  const [problem, setProblem] = useState<string | undefined>();
  const [confirming, setConfirming] = useState(false);
  const input = useRef<HTMLInputElement>(null);
  const f = record.file.name;
  const state = record.state;
  const done = state === undefined ? 0 : state.chunks.filter((c) => c !== null).length;

  return (
    <li className="saved-item" data-testid={`unfinished-row-${f}`}>
      <div>
        <div>
          <strong>{f}</strong> <span className="muted">· {formatBytes(record.file.size)}</span>
        </div>
        <div className="muted small">
          as “{record.choices.name}” · {classificationLabel(record.choices.classification)}
          {record.choices.encrypt ? " · encrypted" : ""} · started {new Date(record.createdAt).toLocaleString()} ·{" "}
          {state === undefined ? "not yet accepted by the gateway" : `${done} of ${state.numChunks} chunks confirmed`}
        </div>
        {problem !== undefined && (
          <p className="error" role="alert" data-testid={`unfinished-message-${f}`}>
            {problem}
          </p>
        )}
      </div>
      <div className="actions">
        <button
          type="button"
          className="primary"
          onClick={() => input.current?.click()}
          data-testid={`unfinished-resume-${f}`}
        >
          {record.files === undefined || record.files.length < 2
            ? `Choose “${f}” to resume`
            : `Choose the ${record.files.length} files of “${f}” to resume`}
        </button>
        <input
          ref={input}
          type="file"
          multiple={record.files !== undefined && record.files.length > 1}
          className="visually-hidden"
          onChange={(e) => {
            const chosen = [...(e.target.files ?? [])];
            e.target.value = "";
            if (chosen.length > 0) setProblem(manager.resumeSaved(record, chosen));
          }}
          data-testid={`unfinished-file-input-${f}`}
        />
        {record.datasetKey !== undefined && (
          <button
            type="button"
            onClick={() => manager.exportSavedKey(record)}
            data-testid={`unfinished-export-key-${f}`}
          >
            Export recovery key
          </button>
        )}
        {confirming ? (
          <>
            <button
              type="button"
              className="danger"
              onClick={() => manager.discardSaved(record)}
              data-testid={`unfinished-discard-confirm-${f}`}
            >
              Discard for good
            </button>
            <button type="button" className="subtle" onClick={() => setConfirming(false)}>
              Keep
            </button>
          </>
        ) : (
          <button
            type="button"
            className="danger"
            onClick={() => setConfirming(true)}
            data-testid={`unfinished-discard-${f}`}
          >
            Discard
          </button>
        )}
      </div>
    </li>
  );
}
