"use client";

import type { Client } from "@connectrpc/connect";
import { type DatasetService, type Job, type JobService, JobState } from "@cyxwiz/protocol/gen";
import { loadPrimitives } from "@cyxwiz/protocol/primitives";
import { nodeKindName } from "@cyxwiz/protocol/vocab";
import { type FormEvent, useState } from "react";
import { errorMessage } from "../gateway/error-message.js";
import { type DatasetKeyOwner, openDatasetKeyStore } from "../keys/dataset-key-store.js";
import { parseRecoveryKey } from "../upload/recovery-key.js";
import { grantsFor } from "./key-grants.js";

/** Where the owner's dataset key comes from; tests replace it. Default: this browser's key store. */
export type DatasetKeyLoader = (who: DatasetKeyOwner, transferId: string) => Promise<Uint8Array | undefined>;

/** The dataset key kept in this browser (src/keys/dataset-key-store.ts), or undefined. */
export const keyFromThisBrowser: DatasetKeyLoader = async (who, transferId) => {
  const store = await openDatasetKeyStore();
  try {
    return await store.get(who, transferId);
  } finally {
    store.close();
  }
};

type Grant =
  | { readonly status: "idle" }
  | { readonly status: "granting" }
  | { readonly status: "need-key"; readonly message: string }
  | { readonly status: "error"; readonly message: string }
  | { readonly status: "done"; readonly count: number };

/**
 * The owner's prompt for a job waiting for keys (Confidential data and above): who asks for which
 * chunks, and "Grant keys", which wraps each worker's chunk keys to its X25519 key in this
 * browser (docs/crypto.md "Per-chunk keys and grants") and sends them with GrantKeys. The dataset
 * key comes from this browser's key store, or from the recovery key the owner pastes.
 */
export function KeyGrantPanel({
  job,
  datasets,
  jobs,
  owner,
  loadKey = keyFromThisBrowser,
  onGranted,
}: {
  job: Job;
  datasets: Client<typeof DatasetService>;
  jobs: Client<typeof JobService>;
  owner: DatasetKeyOwner;
  loadKey?: DatasetKeyLoader;
  onGranted: (job: Job) => void;
}) {
  const [grant, setGrant] = useState<Grant>({ status: "idle" });
  const [keyText, setKeyText] = useState("");
  if (job.state !== JobState.WAITING_FOR_KEYS) return null;
  const ref = job.spec?.datasetRef ?? "";

  async function run(pasted?: Uint8Array) {
    setGrant({ status: "granting" });
    try {
      const { version, manifest } = await datasets.getDataset({ ref });
      if (version === undefined || manifest === undefined) throw new Error(`the gateway sent no manifest for ${ref}`);
      if (manifest.cipher === undefined) throw new Error(`${ref} is not encrypted: its workers need no keys`);
      const datasetKey = pasted ?? (await loadKey(owner, version.transferId));
      if (datasetKey === undefined) {
        setGrant({
          status: "need-key",
          message: `The key of ${ref} is not in this browser (it is kept only where the dataset was uploaded). Paste its recovery key to grant.`,
        });
        return;
      }
      let grants: Awaited<ReturnType<typeof grantsFor>>;
      try {
        grants = await grantsFor(await loadPrimitives(), datasetKey, manifest.cipher, job.keyRequests);
      } finally {
        datasetKey.fill(0);
      }
      const answer = await jobs.grantKeys({ id: job.id, grants });
      setGrant({ status: "done", count: grants.length });
      setKeyText("");
      if (answer.job !== undefined) onGranted(answer.job);
    } catch (e) {
      if ((e as { code?: unknown } | null)?.code === "CYXW_ERR_WRONG_KEY") {
        setGrant({
          status: "need-key",
          message: `That is not the key of ${ref}: check the recovery key and try again.`,
        });
        return;
      }
      setGrant({ status: "error", message: errorMessage(e, "Granting the keys") });
    }
  }

  function submitKey(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const parsed = parseRecoveryKey(keyText);
    if (!parsed.ok) setGrant({ status: "need-key", message: parsed.message });
    else void run(parsed.datasetKey);
  }

  return (
    <section className="card stack key-grant" aria-labelledby="key-grant-title" data-testid="job-key-grant">
      <h2 id="key-grant-title">Workers waiting for keys</h2>
      <p className="muted small">
        {ref} is encrypted. Each worker below asks for the keys of its shard's chunks only; granting wraps them to that
        worker's key in this browser, so the gateway never holds a key. Check who they are first.
      </p>
      <div className="table-wrap">
        <table className="datasets" data-testid="job-key-requests">
          <thead>
            <tr>
              <th>Worker</th>
              <th>Kind</th>
              <th>Region</th>
              <th className="num">Reputation</th>
              <th className="num">Shard</th>
              <th className="num">Chunks</th>
            </tr>
          </thead>
          <tbody>
            {job.keyRequests.map((r) => (
              <tr key={r.nodeId} data-testid={`job-key-request-${r.nodeId}`}>
                <td>
                  <strong>{r.label || "(no label)"}</strong>
                  <div className="muted small hex" title={r.nodeId}>
                    {r.nodeId}
                  </div>
                </td>
                <td>{nodeKindName(r.kind)}</td>
                <td>{r.region || "–"}</td>
                <td className="num">{r.reputation.toFixed(0)}</td>
                <td className="num">{r.shard}</td>
                <td className="num">{r.chunkIndices.length}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <div className="actions">
        <button
          type="button"
          className="primary"
          onClick={() => void run()}
          disabled={grant.status === "granting" || job.keyRequests.length === 0}
          data-testid="job-grant-keys"
        >
          {grant.status === "granting"
            ? "Granting…"
            : `Grant keys to ${job.keyRequests.length} worker${job.keyRequests.length === 1 ? "" : "s"}`}
        </button>
      </div>
      {grant.status === "need-key" && (
        <form className="key-form stack" onSubmit={submitKey} data-testid="job-key-form">
          <p className="error small" role="alert" data-testid="job-key-error">
            {grant.message}
          </p>
          <label>
            Recovery key of {ref}
            <input
              type="password"
              autoComplete="off"
              spellCheck={false}
              value={keyText}
              onChange={(e) => setKeyText(e.target.value)}
              data-testid="job-key-input"
            />
          </label>
          <button type="submit" data-testid="job-key-submit">
            Grant with this key
          </button>
        </form>
      )}
      {grant.status === "error" && (
        <p className="error small" role="alert" data-testid="job-grant-error">
          {grant.message}
        </p>
      )}
      {grant.status === "done" && (
        <p className="ok small" role="status" data-testid="job-grant-done">
          Keys granted to {grant.count} worker{grant.count === 1 ? "" : "s"}.
        </p>
      )}
    </section>
  );
}
