"use client";

import { timestampDate } from "@bufbuild/protobuf/wkt";
import type { Node } from "@cyxwiz/protocol/gen";
import { formatBytes } from "@cyxwiz/protocol/units";
import { nodeKindName, nodeStateName } from "@cyxwiz/protocol/vocab";
import { useCallback, useEffect, useState } from "react";
import { errorMessage, isAuthFailure } from "../gateway/error-message.js";
import type { ComputeClients } from "../jobs/compute-clients.js";
import { shortNodeId } from "../jobs/job-labels.js";
import { relativeTime } from "./relative-time.js";

type Load =
  | { readonly status: "loading" }
  | { readonly status: "error"; readonly message: string; readonly nodes?: readonly Node[] }
  | { readonly status: "ok"; readonly nodes: readonly Node[]; readonly at: Date };

/** How often the list is read again. */
export const NODES_REFRESH_MS = 5000;

/** The registered workers (NodeService.ListNodes), read again every few seconds (docs/compute.md "Dashboard"). */
export function NodesPage({
  compute,
  refreshMs = NODES_REFRESH_MS,
  onAuthFailure,
}: {
  compute: ComputeClients;
  refreshMs?: number;
  onAuthFailure?: (message: string) => void;
}) {
  const [load, setLoad] = useState<Load>({ status: "loading" });

  const refresh = useCallback(async () => {
    try {
      const { nodes } = await compute.nodes.listNodes({});
      setLoad({ status: "ok", nodes, at: new Date() });
    } catch (e) {
      const message = errorMessage(e, "Loading the nodes");
      if (isAuthFailure(e) && onAuthFailure !== undefined) onAuthFailure(message);
      // Keep the last list on screen: a failed refresh does not empty the table.
      else setLoad((l) => ({ status: "error", message, ...(l.status === "ok" ? { nodes: l.nodes } : {}) }));
    }
  }, [compute, onAuthFailure]);

  useEffect(() => {
    void refresh();
    const timer = setInterval(() => void refresh(), refreshMs);
    return () => clearInterval(timer);
  }, [refresh, refreshMs]);

  const nodes = load.status === "ok" ? load.nodes : load.status === "error" ? load.nodes : undefined;
  const now = load.status === "ok" ? load.at : new Date();
  return (
    <div className="stack-lg">
      <header className="page-head">
        <h1>Nodes</h1>
        <p className="muted">
          The workers registered with this gateway: node daemons and volunteers' browser tabs. Read again every{" "}
          {Math.round(refreshMs / 1000)} s.
        </p>
      </header>
      {load.status === "loading" && <p className="muted">Loading…</p>}
      {load.status === "error" && (
        <p className="error" role="alert" data-testid="nodes-error">
          {load.message}
        </p>
      )}
      {nodes !== undefined && nodes.length === 0 && (
        <p className="muted" data-testid="nodes-empty">
          No worker has registered yet. Start one with <code>cyxwiz daemon</code>, or open the Volunteer page.
        </p>
      )}
      {nodes !== undefined && nodes.length > 0 && (
        <div className="table-wrap">
          <table className="datasets nodes" data-testid="nodes-table">
            <thead>
              <tr>
                <th>Node</th>
                <th>Kind</th>
                <th>State</th>
                <th>Backend</th>
                <th className="num">Cores</th>
                <th className="num">Memory</th>
                <th>Region</th>
                <th>Reputation</th>
                <th>Last heartbeat</th>
              </tr>
            </thead>
            <tbody>
              {nodes.map((n) => (
                <tr key={n.nodeId} data-testid={`node-row-${n.nodeId}`}>
                  <td>
                    <strong>{n.label || "(no label)"}</strong>
                    <div className="muted small hex" title={n.nodeId}>
                      {shortNodeId(n.nodeId)}
                    </div>
                  </td>
                  <td>{nodeKindName(n.kind)}</td>
                  <td>
                    <span
                      className={`status status-node-${nodeStateName(n.state)}`}
                      data-testid={`node-state-${n.nodeId}`}
                    >
                      {nodeStateName(n.state)}
                    </span>
                  </td>
                  <td data-testid={`node-backend-${n.nodeId}`}>{n.capacity?.backend || "–"}</td>
                  <td className="num">{n.capacity?.cores ?? "–"}</td>
                  <td className="num">
                    {n.capacity === undefined ? "–" : formatBytes(Number(n.capacity.memoryBytes))}
                  </td>
                  <td>{n.capacity?.region || "–"}</td>
                  <td>
                    <ReputationBar value={n.reputation} nodeId={n.nodeId} />
                  </td>
                  <td data-testid={`node-heartbeat-${n.nodeId}`}>
                    {n.lastHeartbeat === undefined ? "never" : relativeTime(timestampDate(n.lastHeartbeat), now)}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}

/** Reputation, 0-100, as a bar with its number. */
function ReputationBar({ value, nodeId }: { value: number; nodeId: string }) {
  const v = Math.max(0, Math.min(100, value));
  return (
    <span className="reputation" title={`reputation ${v.toFixed(0)} of 100`}>
      <meter min={0} max={100} low={40} high={75} optimum={100} value={v} data-testid={`node-reputation-${nodeId}`} />
      <span className="small">{v.toFixed(0)}</span>
    </span>
  );
}
