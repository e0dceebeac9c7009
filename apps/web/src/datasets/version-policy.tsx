"use client";

import { timestampDate } from "@bufbuild/protobuf/wkt";
import type { GatewayClients } from "@cyxwiz/client";
import type { DatasetVersion } from "@cyxwiz/protocol/gen";
import { CLASSIFICATIONS, type DataPolicy, policyFromProto } from "@cyxwiz/protocol/vocab";
import { type FormEvent, useCallback, useEffect, useState } from "react";
import { errorMessage, isAuthFailure } from "../gateway/error-message.js";
import { policyRequestOf, policyRows } from "./policy-form.js";

type Load =
  | { readonly status: "loading" }
  | { readonly status: "error"; readonly message: string }
  | { readonly status: "ok"; readonly policy: DataPolicy; readonly expiresAt?: Date };

/**
 * A version's data policy (GetDatasetPolicy, docs/data-policy.md) and the owner's form to change
 * its classification and expiry (SetDatasetPolicy); the gateway's refusal is shown as it gave it.
 */
export function PolicyPanel({
  version: v,
  clients,
  onChanged,
  onAuthFailure,
}: {
  version: DatasetVersion;
  clients: GatewayClients;
  onChanged: () => Promise<void>;
  onAuthFailure: (message: string) => void;
}) {
  const ref = v.ref;
  const [load, setLoad] = useState<Load>({ status: "loading" });
  const [classification, setClassification] = useState("");
  const [expiry, setExpiry] = useState("");
  const [saving, setSaving] = useState(false);
  const [problem, setProblem] = useState<string | undefined>();
  const [saved, setSaved] = useState(false);

  const reload = useCallback(async () => {
    try {
      const got = await clients.datasets.getDatasetPolicy({ ref });
      if (got.policy === undefined) throw new Error("the gateway answered without the policy");
      const policy = policyFromProto(got.policy);
      setLoad({
        status: "ok",
        policy,
        ...(got.policy.expiresAt === undefined ? {} : { expiresAt: timestampDate(got.policy.expiresAt) }),
      });
      setClassification(policy.classification);
      setExpiry(policy.expireAfterDays === undefined ? "" : String(policy.expireAfterDays));
    } catch (e) {
      if (isAuthFailure(e)) onAuthFailure(errorMessage(e, `Reading the policy of ${ref}`));
      else setLoad({ status: "error", message: errorMessage(e, `Reading the policy of ${ref}`) });
    }
  }, [clients, ref, onAuthFailure]);

  useEffect(() => {
    void reload();
  }, [reload]);

  async function save(event: FormEvent) {
    event.preventDefault();
    setProblem(undefined);
    setSaved(false);
    const made = policyRequestOf(
      ref,
      { classification, expireAfterDays: expiry },
      load.status === "ok" ? load.policy : undefined,
    );
    if (!made.ok) {
      setProblem(made.message);
      return;
    }
    setSaving(true);
    try {
      await clients.datasets.setDatasetPolicy(made.request);
      setSaved(true);
      await reload();
      await onChanged();
    } catch (e) {
      if (isAuthFailure(e)) onAuthFailure(errorMessage(e, `Changing the policy of ${ref}`));
      else setProblem(errorMessage(e, `Changing the policy of ${ref}`));
    } finally {
      setSaving(false);
    }
  }

  if (load.status === "loading") return <p className="muted small">Loading the data policy…</p>;
  if (load.status === "error")
    return (
      <p className="small error" role="alert" data-testid={`dataset-policy-error-${ref}`}>
        {load.message}
      </p>
    );
  return (
    <section className="stack policy-panel" data-testid={`dataset-policy-${ref}`}>
      <h3>Data policy</h3>
      <dl className="facts">
        {policyRows(load.policy).map((r) => (
          <div key={r.key} className="fact">
            <dt>{r.label}</dt>
            <dd data-testid={`dataset-policy-${r.key}-${ref}`}>{r.value}</dd>
          </div>
        ))}
        {load.expiresAt !== undefined && (
          <div className="fact">
            <dt>Deleted on</dt>
            <dd data-testid={`dataset-policy-expires-at-${ref}`}>{load.expiresAt.toLocaleString()}</dd>
          </div>
        )}
      </dl>
      <form className="policy-form actions" onSubmit={(e) => void save(e)} data-testid={`dataset-policy-form-${ref}`}>
        <label>
          Classification
          <select
            value={classification}
            onChange={(e) => setClassification(e.target.value)}
            data-testid={`dataset-policy-classification-input-${ref}`}
          >
            {CLASSIFICATIONS.map((c) => (
              <option key={c.name} value={c.name}>
                {c.label}
              </option>
            ))}
          </select>
        </label>
        <label>
          Expire after (days)
          <input
            type="text"
            inputMode="numeric"
            value={expiry}
            placeholder="never"
            onChange={(e) => setExpiry(e.target.value)}
            data-testid={`dataset-policy-expiry-input-${ref}`}
          />
        </label>
        <button type="submit" disabled={saving} data-testid={`dataset-policy-save-${ref}`}>
          {saving ? "Saving…" : "Save policy"}
        </button>
      </form>
      {problem !== undefined && (
        <p className="small error" role="alert" data-testid={`dataset-policy-save-error-${ref}`}>
          {problem}
        </p>
      )}
      {saved && problem === undefined && (
        <p className="small ok" role="status" data-testid={`dataset-policy-saved-${ref}`}>
          Policy saved.
        </p>
      )}
    </section>
  );
}
