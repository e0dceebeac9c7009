"use client";

import { useCallback, useEffect, useRef, useState } from "react";
import { loadOrCreateVolunteerIdentity } from "./volunteer-identity.js";
import type { ToVolunteerWorker, VolunteerCapacity, VolunteerWorkerPort } from "./volunteer-protocol.js";
import { applyVolunteerEvent, IDLE_VIEW, joiningView, type VolunteerView } from "./volunteer-state.js";

/** Where TF.js's wasm backend finds its .wasm files in the static export (next.config.ts copies them). */
export const TFJS_WASM_PATH = "/_next/static/tfjs-wasm/";

/** What the volunteer page needs; tests hand in a fake worker and identity loader. */
export interface VolunteerPageProps {
  /** The gateway (the page's origin) and the session token. */
  readonly baseUrl: string;
  readonly token: string;
  /** Starts the Web Worker that runs runWorker (volunteer.worker.ts). */
  readonly createWorker: () => VolunteerWorkerPort;
  readonly loadIdentity?: (gateway: string) => Promise<{
    nodeId: string;
    signing: { secretKey: Uint8Array };
    agreement: { secretKey: Uint8Array };
  }>;
}

/** A label for this tab as other people see it on the Nodes page. */
function tabLabel(): string {
  const ua = navigator.userAgent;
  const browser = /Firefox\//.test(ua)
    ? "Firefox"
    : /Edg\//.test(ua)
      ? "Edge"
      : /Chrome\//.test(ua)
        ? "Chrome"
        : /Safari\//.test(ua)
          ? "Safari"
          : "browser";
  return `${browser} tab`;
}

/** What this tab offers (NodeCapacity): cores, a memory estimate, the time zone as region. */
function tabCapacity(): VolunteerCapacity {
  const nav = navigator as Navigator & { deviceMemory?: number };
  return {
    cores: nav.hardwareConcurrency || 1,
    memoryBytes: Math.round((nav.deviceMemory ?? 4) * 2 ** 30),
    region: Intl.DateTimeFormat().resolvedOptions().timeZone || "",
    storageBytes: 0,
  };
}

/**
 * The volunteer page (docs/compute.md "Dashboard"): Join makes (or reloads) this browser's worker
 * identity and starts runWorker in a Web Worker; the page shows the backend and why, the node id,
 * the assignment and training figures, and this tab's contribution. Stop, and closing the tab
 * (pagehide), send Leave.
 */
export function VolunteerPage({
  baseUrl,
  token,
  createWorker,
  loadIdentity = loadOrCreateVolunteerIdentity,
}: VolunteerPageProps) {
  const [view, setView] = useState<VolunteerView>(IDLE_VIEW);
  const worker = useRef<VolunteerWorkerPort | undefined>(undefined);

  const send = useCallback((message: ToVolunteerWorker) => worker.current?.postMessage(message), []);

  const join = useCallback(async () => {
    setView((v) => joiningView(v));
    let identity: Awaited<ReturnType<typeof loadIdentity>>;
    try {
      identity = await loadIdentity(baseUrl);
    } catch (e) {
      setView((v) => ({
        ...v,
        status: "failed",
        error: `This browser cannot keep a worker identity: ${(e as Error).message}`,
      }));
      return;
    }
    setView((v) => ({ ...v, nodeId: identity.nodeId }));
    const w = createWorker();
    worker.current = w;
    w.onmessage = (event) => {
      const m = event.data;
      if (m.type === "event") setView((v) => applyVolunteerEvent(v, m.event));
      else {
        setView((v) =>
          m.error === undefined ? { ...v, status: "stopped" } : { ...v, status: "failed", error: m.error },
        );
        w.terminate();
        if (worker.current === w) worker.current = undefined;
      }
    };
    w.onerror = (event) => {
      setView((v) => ({
        ...v,
        status: "failed",
        error: `The worker stopped: ${event.message || "it failed to load"}`,
      }));
      w.terminate();
      if (worker.current === w) worker.current = undefined;
    };
    w.postMessage({
      type: "join",
      baseUrl,
      token,
      label: tabLabel(),
      capacity: tabCapacity(),
      signingSeed: identity.signing.secretKey,
      agreementSecret: identity.agreement.secretKey,
      wasmPath: TFJS_WASM_PATH,
    });
  }, [baseUrl, token, createWorker, loadIdentity]);

  const stop = useCallback(() => {
    setView((v) => ({ ...v, status: "stopping" }));
    send({ type: "leave", reason: "the volunteer pressed Stop" });
  }, [send]);

  // Closing the tab (or leaving the page) sends Leave, so the job does not wait for a lost worker.
  useEffect(() => {
    const onHide = () => send({ type: "leave", reason: "the volunteer closed the tab" });
    window.addEventListener("pagehide", onHide);
    return () => {
      window.removeEventListener("pagehide", onHide);
      onHide();
    };
  }, [send]);

  const active = view.status === "joining" || view.status === "working" || view.status === "stopping";
  return (
    <div className="stack-lg">
      <header className="page-head">
        <h1>Volunteer</h1>
        <p className="muted">
          Lend this tab to training jobs. Joining registers the tab as a worker with its own key (kept in this browser),
          and while the page is open it trains on the shards the gateway assigns it, with WebGPU where the browser has
          it, else WebAssembly or plain JavaScript. It reads only the chunks of its shard, checks each against the
          dataset's Merkle root, and erases them when the job ends. Stop or close the tab to leave.
        </p>
      </header>
      <div className="card stack volunteer" data-testid="volunteer-panel" data-status={view.status}>
        <div className="row-between">
          <span className={`status status-volunteer-${view.status}`} data-testid="volunteer-status">
            {STATUS_WORDS[view.status]}
          </span>
          {active ? (
            <button
              type="button"
              className="danger"
              onClick={stop}
              disabled={view.status === "stopping"}
              data-testid="volunteer-stop"
            >
              {view.status === "stopping" ? "Stopping…" : "Stop"}
            </button>
          ) : (
            <button type="button" className="primary" onClick={() => void join()} data-testid="volunteer-join">
              Join
            </button>
          )}
        </div>
        {view.error !== undefined && (
          <p className="error small" role="alert" data-testid="volunteer-error">
            {view.error}
          </p>
        )}
        <dl className="job-facts">
          <Fact label="Node" testId="volunteer-node" value={view.nodeId} />
          <Fact
            label="Backend"
            testId="volunteer-backend"
            value={view.backend}
            hint={view.backendReason === undefined ? undefined : `why: ${view.backendReason}`}
            hintTestId="volunteer-backend-reason"
          />
          <Fact label="Job" testId="volunteer-job" value={view.jobId} />
          <Fact label="Round" testId="volunteer-round" value={view.round?.toString()} />
          <Fact
            label="Shard"
            testId="volunteer-shard"
            value={
              view.shard === undefined
                ? undefined
                : `${view.shard}${view.shardSamples === undefined ? "" : ` (${view.shardSamples.toLocaleString("en-US")} samples)`}`
            }
            hint={
              view.fetch === undefined
                ? undefined
                : `chunks ${view.fetch.done}/${view.fetch.total}, ${view.fetch.cached} cached`
            }
            hintTestId="volunteer-fetch"
          />
          <Fact label="Samples/s" testId="volunteer-rate" value={view.samplesPerSecond?.toFixed(0)} />
          <Fact label="Loss (round mean)" testId="volunteer-loss" value={view.loss?.toFixed(4)} />
          <Fact
            label="Accuracy (round mean)"
            testId="volunteer-accuracy"
            value={view.accuracy === undefined ? undefined : `${(view.accuracy * 100).toFixed(1)}%`}
          />
        </dl>
        <p className="small" data-testid="volunteer-contribution">
          Contribution since Join: {view.samplesTrained.toLocaleString("en-US")} samples trained, {view.updatesAccepted}{" "}
          of {view.updatesSent} update{view.updatesSent === 1 ? "" : "s"} accepted.
        </p>
        {view.lastUpdate !== undefined && (
          <p className="muted small" data-testid="volunteer-last-update">
            {view.lastUpdate}
          </p>
        )}
      </div>
    </div>
  );
}

const STATUS_WORDS: Record<VolunteerView["status"], string> = {
  idle: "Not joined",
  joining: "Joining…",
  working: "Working",
  stopping: "Leaving…",
  stopped: "Left",
  failed: "Stopped by an error",
};

function Fact({
  label,
  value,
  testId,
  hint,
  hintTestId,
}: {
  label: string;
  value: string | undefined;
  testId: string;
  hint?: string | undefined;
  hintTestId?: string;
}) {
  return (
    <div>
      <dt>{label}</dt>
      <dd data-testid={testId}>{value ?? "–"}</dd>
      {hint !== undefined && (
        <dd className="muted small" data-testid={hintTestId}>
          {hint}
        </dd>
      )}
    </div>
  );
}
