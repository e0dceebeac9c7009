import { timestampDate } from "@bufbuild/protobuf/wkt";
import { toClientError } from "@cyxwiz/client";
import type { Node } from "@cyxwiz/protocol/gen";
import { formatBytes } from "@cyxwiz/protocol/units";
import { nodeKindName, nodeStateName } from "@cyxwiz/protocol/vocab";
import { cliErrorOf, type GatewayOptions, openGateway } from "../gateway-access.js";
import type { Output } from "../output.js";
import { textTable } from "../text-table.js";

/** `cyxwiz nodes --gateway URL`: the registered workers (NodeService.ListNodes, docs/compute.md). */
export async function nodesCommand(opts: GatewayOptions, out: Output): Promise<void> {
  const { clients } = await openGateway(opts);
  let nodes: Node[];
  try {
    nodes = (await clients.nodes.listNodes({})).nodes;
  } catch (e) {
    throw cliErrorOf(toClientError(e, `ListNodes at ${clients.baseUrl}`));
  }
  const rows = nodes.map(describeNode);
  const text =
    rows.length === 0
      ? "no nodes"
      : textTable([
          ["NODE", "KIND", "LABEL", "STATE", "BACKEND", "CORES", "MEMORY", "REGION", "REPUTATION", "LAST HEARTBEAT"],
          ...rows.map((r) => [
            r.node,
            r.kind,
            r.label,
            r.state,
            r.backend,
            String(r.cores),
            formatBytes(r.memoryBytes),
            r.region,
            r.reputation.toFixed(1),
            r.lastHeartbeat ?? "never",
          ]),
        ]);
  out.result({ nodes: rows }, text);
}

/** A worker as JSON-friendly values. */
export function describeNode(n: Node) {
  const c = n.capacity;
  return {
    node: n.nodeId,
    kind: nodeKindName(n.kind),
    label: n.label,
    state: nodeStateName(n.state),
    backend: c?.backend ?? "",
    cores: c?.cores ?? 0,
    memoryBytes: Number(c?.memoryBytes ?? 0n),
    storageBytes: Number(c?.storageBytes ?? 0n),
    region: c?.region ?? "",
    reputation: n.reputation,
    lastHeartbeat: n.lastHeartbeat === undefined ? null : timestampDate(n.lastHeartbeat).toISOString(),
    registeredAt: n.registeredAt === undefined ? null : timestampDate(n.registeredAt).toISOString(),
  };
}
