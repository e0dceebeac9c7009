"use client";

import type { DatasetVersion } from "@cyxwiz/protocol/gen";
import { formatBytes } from "@cyxwiz/protocol/units";
import { useState } from "react";
import type { DownloadClient } from "../download/download-client.js";
import { errorMessage } from "../gateway/error-message.js";
import { ClassHistogram } from "../preview/class-histogram.js";
import { ColumnStatsTable } from "../preview/column-stats-table.js";
import { ImageGrid } from "../preview/image-grid.js";
import { SampleTable } from "../preview/sample-table.js";
import { parseRecoveryKey } from "../upload/recovery-key.js";
import { type FilePreview, previewOf, type SamplesPreview } from "./preview-model.js";
import { RecoveryKeyForm } from "./version-download.js";

/** Where one version's preview stands. */
export type PreviewState =
  | { readonly status: "idle" }
  | { readonly status: "loading" }
  /** Encrypted, and no key here or the key given does not open it. */
  | { readonly status: "asking-key"; readonly message?: string }
  /** `damaged`: chunk 0 failed verification (digest, Merkle proof, decryption or decoding). */
  | { readonly status: "failed"; readonly message: string; readonly damaged: boolean }
  | { readonly status: "ok"; readonly preview: SamplesPreview | FilePreview };

/**
 * One version's preview: chunk 0 is read with GetPreview and verified, decrypted and
 * decompressed in the download worker (the key is read there, from IndexedDB, or given as the
 * recovery key); only its plaintext comes back, and is decoded here.
 */
export function useVersionPreview(
  v: DatasetVersion,
  deps: { downloads: () => DownloadClient; keyHere: boolean; onAuthFailure: (message: string) => void },
) {
  const [state, setState] = useState<PreviewState>({ status: "idle" });

  async function load(recoveryKey: Uint8Array | undefined) {
    setState({ status: "loading" });
    let outcome: Awaited<ReturnType<DownloadClient["preview"]>>;
    try {
      outcome = await deps.downloads().preview({
        ref: v.ref,
        transferId: v.transferId,
        encrypted: v.encrypted,
        ...(recoveryKey === undefined ? {} : { recoveryKey }),
      });
    } catch (e) {
      setState({ status: "failed", message: errorMessage(e, `Previewing ${v.ref}`), damaged: false });
      return;
    } finally {
      recoveryKey?.fill(0); // posted to the worker as a copy
    }
    if (outcome.kind === "failed") {
      if (outcome.failure === "key") setState({ status: "asking-key", message: outcome.message });
      else if (outcome.failure === "auth") deps.onAuthFailure(outcome.message);
      else setState({ status: "failed", message: outcome.message, damaged: outcome.failure === "integrity" });
      return;
    }
    try {
      setState({ status: "ok", preview: previewOf(outcome.manifest, outcome.firstChunk) });
    } catch (e) {
      setState({
        status: "failed",
        message: `Chunk 0 of ${v.ref} verified but could not be read as samples: ${errorMessage(e, "Decoding")}`,
        damaged: true,
      });
    }
  }

  return {
    state,
    open() {
      if (v.encrypted && !deps.keyHere) setState({ status: "asking-key" });
      else void load(undefined);
    },
    submitKey(text: string) {
      const parsed = parseRecoveryKey(text);
      if (!parsed.ok) setState({ status: "asking-key", message: parsed.message });
      else void load(parsed.datasetKey);
    },
    close() {
      setState({ status: "idle" });
    },
  };
}

/** The preview under a row: the key form, loading, what went wrong, or the data. */
export function PreviewPanel({
  refName: ref,
  preview,
}: {
  refName: string;
  preview: ReturnType<typeof useVersionPreview>;
}) {
  const { state } = preview;
  switch (state.status) {
    case "idle":
      return null;
    case "loading":
      return (
        <p className="muted small" role="status" data-testid={`preview-status-${ref}`} data-state="loading">
          Reading and verifying the first chunk…
        </p>
      );
    case "asking-key":
      return (
        <RecoveryKeyForm
          idPrefix="preview-key"
          refName={ref}
          message={state.message}
          submitLabel="Preview"
          onSubmit={preview.submitKey}
          onCancel={preview.close}
        />
      );
    case "failed":
      return (
        <p
          className="small error"
          role="alert"
          data-testid={`preview-status-${ref}`}
          data-state={state.damaged ? "damaged" : "failed"}
        >
          {state.damaged ? "Damaged: " : ""}
          {state.message}
        </p>
      );
    case "ok":
      return state.preview.kind === "samples" ? (
        <SamplesPreviewView refName={ref} p={state.preview} />
      ) : (
        <FilePreviewView refName={ref} p={state.preview} />
      );
    default: {
      const unknown: never = state;
      throw new TypeError(`unknown preview state: ${JSON.stringify(unknown)}`);
    }
  }
}

function SamplesPreviewView({ refName: ref, p }: { refName: string; p: SamplesPreview }) {
  return (
    <section className="stack preview-panel" data-testid={`preview-panel-${ref}`} data-kind="samples">
      <dl className="facts">
        <dt>Format</dt>
        <dd data-testid={`preview-format-${ref}`}>
          {p.format}
          {p.originalName === "" ? "" : ` (${p.originalName})`}
        </dd>
        <dt>Samples</dt>
        <dd data-testid={`preview-samples-${ref}`}>{p.numSamples}</dd>
        <dt>Chunks</dt>
        <dd data-testid={`preview-chunks-${ref}`}>{p.numChunks}</dd>
        {p.split !== undefined && (
          <>
            <dt>Split</dt>
            <dd data-testid={`preview-split-${ref}`}>{p.split}</dd>
          </>
        )}
        <dt>Pack order</dt>
        <dd data-testid={`preview-order-${ref}`}>{p.order}</dd>
      </dl>
      <div className="table-wrap">
        <table data-testid={`preview-schema-${ref}`}>
          <caption>Schema</caption>
          <thead>
            <tr>
              <th scope="col">Column</th>
              <th scope="col">Type</th>
              <th scope="col">Role</th>
              <th scope="col">Tensor</th>
            </tr>
          </thead>
          <tbody>
            {p.schema.map((c) => (
              <tr key={c.name}>
                <th scope="row">{c.name}</th>
                <td>
                  <code>{c.type}</code>
                </td>
                <td>{c.role}</td>
                <td>{c.tensor ?? "–"}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <SampleTable {...p.table} />
      {p.images !== undefined && <ImageGrid {...p.images} />}
      <ColumnStatsTable {...p.stats} />
      {p.histogram.length > 0 && (
        <ClassHistogram classes={p.histogram} title={`Samples per ${p.labelColumn ?? "class"}, whole dataset`} />
      )}
    </section>
  );
}

function FilePreviewView({ refName: ref, p }: { refName: string; p: FilePreview }) {
  return (
    <section className="stack preview-panel" data-testid={`preview-panel-${ref}`} data-kind="file">
      <dl className="facts">
        <dt>Size</dt>
        <dd data-testid={`preview-size-${ref}`}>{formatBytes(p.size)}</dd>
        <dt>Chunks</dt>
        <dd data-testid={`preview-chunks-${ref}`}>{p.numChunks}</dd>
      </dl>
      <p className="muted small">The first {p.shown} bytes, as hex and as text:</p>
      <pre className="hex-dump" data-testid={`preview-hex-${ref}`}>
        {p.hex}
      </pre>
      <pre className="hex-dump" data-testid={`preview-text-${ref}`}>
        {p.text}
      </pre>
    </section>
  );
}
