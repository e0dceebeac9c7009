"use client";

import { timestampDate } from "@bufbuild/protobuf/wkt";
import type { GatewayClients } from "@cyxwiz/client";
import { CompressionCodec, type DatasetVersion, type IntegrityResponse } from "@cyxwiz/protocol/gen";
import { formatBytes } from "@cyxwiz/protocol/units";
import { useCallback, useEffect, useState } from "react";
import { useDatasetDownloads } from "../download/use-dataset-downloads.js";
import { toHex } from "../format/hex.js";
import { errorMessage, isAuthFailure } from "../gateway/error-message.js";
import { useSession } from "../session/session-context.js";
import { CopyButton } from "../ui/copy-button.js";
import { classificationLabel } from "../upload/upload-choices.js";
import { codecLabel, datasetStatusLabel, shortHex } from "./dataset-format.js";
import { sampleLayoutOf } from "./preview-model.js";
import { DownloadButton, DownloadPanel, useVersionDownload, type VersionDownloadDeps } from "./version-download.js";
import { PolicyPanel } from "./version-policy.js";
import { PreviewPanel, useVersionPreview } from "./version-preview.js";

type Load =
  | { readonly status: "loading" }
  | { readonly status: "error"; readonly message: string }
  | {
      readonly status: "ok";
      readonly versions: readonly DatasetVersion[];
      /** Refs of the versions that are datasets of samples (their manifests have a sample layout). */
      readonly samples: ReadonlySet<string>;
    };

/** The signed-in owner's datasets, every version, with verify, download and delete. */
export function DatasetsPage({ clients }: { clients: GatewayClients }) {
  const { signOut, state: session } = useSession();
  const [load, setLoad] = useState<Load>({ status: "loading" });
  const { downloads, keysHere, refreshKeys, forgetKey } = useDatasetDownloads(
    session.status === "signed-in"
      ? { baseUrl: session.baseUrl, token: session.session.token, owner: session.session.username }
      : undefined,
  );

  const refresh = useCallback(async () => {
    void refreshKeys();
    try {
      const { datasets } = await clients.datasets.listDatasets({});
      const perName = await Promise.all(
        datasets.map(async (d) => (await clients.datasets.listVersions({ name: d.name })).versions),
      );
      const versions = perName.flat().sort((a, b) => a.name.localeCompare(b.name) || b.version - a.version);
      // Whether each version is a dataset of samples is in its manifest: it decides what Download saves.
      const kinds = await Promise.all(
        versions.map(async (v) => {
          const got = await clients.datasets.getDataset({ ref: v.ref }).catch(() => undefined);
          return sampleLayoutOf(got?.manifest) === undefined ? undefined : v.ref;
        }),
      );
      const samples = new Set(kinds.filter((r): r is string => r !== undefined));
      setLoad({ status: "ok", versions, samples });
    } catch (e) {
      if (isAuthFailure(e)) signOut(errorMessage(e, "Loading your datasets"));
      else setLoad({ status: "error", message: errorMessage(e, "Loading your datasets") });
    }
  }, [clients, signOut, refreshKeys]);

  useEffect(() => {
    void refresh();
  }, [refresh]);

  const onAuthFailure = useCallback((message: string) => signOut(message), [signOut]);

  return (
    <div className="stack-lg">
      <header className="page-head row-between">
        <div>
          <h1>Datasets</h1>
          <p className="muted">
            Every version you own. Verify re-reads each stored chunk on the gateway and recomputes the Merkle root.
            Download checks every chunk against that root and decrypts in this browser.
          </p>
        </div>
        <button type="button" onClick={() => void refresh()} data-testid="datasets-refresh">
          Refresh
        </button>
      </header>
      {load.status === "loading" && <p className="muted">Loading…</p>}
      {load.status === "error" && (
        <p className="error" role="alert" data-testid="datasets-error">
          {load.message}
        </p>
      )}
      {load.status === "ok" && load.versions.length === 0 && (
        <p className="muted" data-testid="datasets-empty">
          No datasets yet. Upload one from the Upload page.
        </p>
      )}
      {load.status === "ok" && load.versions.length > 0 && (
        <div className="table-wrap">
          <table className="datasets" data-testid="datasets-table">
            <thead>
              <tr>
                <th>Dataset</th>
                <th className="num">Size</th>
                <th>Merkle root</th>
                <th>Classification</th>
                <th>Status</th>
                <th>
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {load.versions.map((v) => (
                <DatasetRow
                  key={v.ref}
                  version={v}
                  clients={clients}
                  onChanged={refresh}
                  onDeleted={forgetKey}
                  download={{
                    downloads,
                    keyHere: keysHere.has(v.transferId),
                    onAuthFailure,
                    samples: load.samples.has(v.ref),
                  }}
                />
              ))}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}

type Verify =
  | { readonly status: "idle" }
  | { readonly status: "running" }
  | { readonly status: "done"; readonly result: IntegrityResponse }
  | { readonly status: "error"; readonly message: string };

function DatasetRow({
  version: v,
  clients,
  onChanged,
  onDeleted,
  download: downloadDeps,
}: {
  version: DatasetVersion;
  clients: GatewayClients;
  onChanged: () => Promise<void>;
  /** Forgets what this browser keeps for a deleted version (its dataset key). */
  onDeleted: (transferId: string) => Promise<void>;
  download: VersionDownloadDeps;
}) {
  const download = useVersionDownload(v, downloadDeps);
  const preview = useVersionPreview(v, downloadDeps);
  /** The detail view (preview and data policy) is open. */
  const [details, setDetails] = useState(false);
  const [verify, setVerify] = useState<Verify>({ status: "idle" });
  const [confirmDelete, setConfirmDelete] = useState(false);
  const [deleting, setDeleting] = useState(false);
  const [deleteProblem, setDeleteProblem] = useState<string | undefined>();
  const ref = v.ref;
  const root = toHex(v.merkleRoot);

  async function runVerify() {
    setVerify({ status: "running" });
    try {
      const result = await clients.dataTransfer.verifyIntegrity({ transferId: v.transferId, fullVerification: true });
      setVerify({ status: "done", result });
      await onChanged(); // a failed verification marks the version corrupt (and a passing one ready again)
    } catch (e) {
      setVerify({ status: "error", message: errorMessage(e, `Verifying ${ref}`) });
    }
  }

  async function runDelete() {
    setDeleting(true);
    setDeleteProblem(undefined);
    try {
      await clients.datasets.deleteDataset({ ref });
      await onDeleted(v.transferId).catch(() => undefined); // a key left behind opens nothing the gateway still has
      await onChanged();
    } catch (e) {
      setDeleteProblem(errorMessage(e, `Deleting ${ref}`));
      setConfirmDelete(false);
      setDeleting(false);
    }
  }

  const created = v.createdAt === undefined ? "–" : timestampDate(v.createdAt).toLocaleString();
  const result = <VerifyResult verify={verify} ref_={ref} />;
  const hasDetail =
    verify.status === "done" ||
    verify.status === "error" ||
    deleteProblem !== undefined ||
    download.state.status !== "idle" ||
    details;
  return (
    <>
      <tr data-testid={`dataset-row-${ref}`} className={hasDetail ? "has-detail" : undefined}>
        <td>
          <strong className="dataset-name">{v.name}</strong>
          <span className="muted">@v{v.version}</span>
          <div className="muted small">created {created}</div>
        </td>
        <td className="num" title={`${v.totalSize} bytes; ${v.storedSize} bytes stored`}>
          {formatBytes(Number(v.totalSize))}
          <div className="muted small">
            {v.numChunks} {v.numChunks === 1 ? "chunk" : "chunks"}
          </div>
        </td>
        <td>
          <span className="root-cell">
            <code className="hex truncate" title={root} data-testid={`dataset-root-${ref}`}>
              {root}
            </code>
            <CopyButton text={root} label="Copy" testId={`dataset-copy-root-${ref}`} />
          </span>
        </td>
        <td>
          <span data-testid={`dataset-classification-${ref}`}>{classificationLabel(v.classification)}</span>
          <div className="muted small" data-testid={`dataset-protection-${ref}`}>
            {v.encrypted ? "encrypted" : "not encrypted"}
            {v.keyEscrowed ? ", key escrowed" : ""} ·{" "}
            {v.codec === CompressionCodec.NONE ? "uncompressed" : `${codecLabel(v.codec)}-compressed`}
          </div>
        </td>
        <td>
          <span
            className={`status status-${datasetStatusLabel(v.status).toLowerCase()}`}
            data-testid={`dataset-status-${ref}`}
          >
            {datasetStatusLabel(v.status)}
          </span>
        </td>
        <td className="row-actions">
          <div className="actions">
            <button
              type="button"
              aria-expanded={details}
              onClick={() => {
                if (details) {
                  setDetails(false);
                  preview.close();
                } else {
                  setDetails(true);
                  preview.open();
                }
              }}
              data-testid={`dataset-preview-${ref}`}
            >
              {details ? "Hide preview" : "Preview"}
            </button>
            <button
              type="button"
              onClick={() => void runVerify()}
              disabled={verify.status === "running"}
              data-testid={`dataset-verify-${ref}`}
            >
              {verify.status === "running" ? "Verifying…" : "Verify"}
            </button>
            <DownloadButton refName={ref} download={download} />
            {confirmDelete ? (
              <>
                <button
                  type="button"
                  className="danger"
                  onClick={() => void runDelete()}
                  disabled={deleting}
                  data-testid={`dataset-delete-confirm-${ref}`}
                >
                  {deleting ? "Deleting…" : "Delete for good"}
                </button>
                <button
                  type="button"
                  className="subtle"
                  onClick={() => setConfirmDelete(false)}
                  data-testid={`dataset-delete-cancel-${ref}`}
                >
                  Keep
                </button>
              </>
            ) : (
              <button
                type="button"
                className="danger"
                onClick={() => setConfirmDelete(true)}
                data-testid={`dataset-delete-${ref}`}
              >
                Delete
              </button>
            )}
          </div>
        </td>
      </tr>
      {hasDetail && (
        <tr className="detail-row">
          <td colSpan={6}>
            <DownloadPanel version={v} download={download} />
            {details && (
              <div className="stack dataset-details" data-testid={`dataset-details-${ref}`}>
                <PreviewPanel refName={ref} preview={preview} />
                <PolicyPanel
                  version={v}
                  clients={clients}
                  onChanged={onChanged}
                  onAuthFailure={downloadDeps.onAuthFailure}
                />
              </div>
            )}
            {result}
            {deleteProblem !== undefined && (
              <p className="error small" role="alert" data-testid={`dataset-delete-error-${ref}`}>
                {deleteProblem}
              </p>
            )}
          </td>
        </tr>
      )}
    </>
  );
}

function VerifyResult({ verify, ref_ }: { verify: Verify; ref_: string }) {
  if (verify.status === "idle" || verify.status === "running") return null;
  if (verify.status === "error") {
    return (
      <p className="error small" role="alert" data-testid={`dataset-verify-result-${ref_}`} data-valid="error">
        {verify.message}
      </p>
    );
  }
  const r = verify.result;
  return (
    <p
      className={`small ${r.valid ? "ok" : "error"}`}
      role="status"
      data-testid={`dataset-verify-result-${ref_}`}
      data-valid={String(r.valid)}
    >
      {r.valid
        ? `Intact: every chunk re-read and the Merkle root matches (${shortHex(toHex(r.computedMerkleRoot))}).`
        : `Damaged: ${r.errorMessage || "the Merkle root does not match"}${r.corruptChunks.length > 0 ? ` (chunks ${r.corruptChunks.join(", ")})` : ""}.`}
    </p>
  );
}
