import { create } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import { type Node, NodeSchema, NodeKind as ProtoNodeKind, NodeState as ProtoNodeState } from "@cyxwiz/protocol/gen";
import type { NodeKind, NodeRecord, NodeState } from "../store/index.js";

/** A node's kind on the wire; undefined for UNSPECIFIED or an unknown value. */
export function nodeKindFromProto(kind: ProtoNodeKind): NodeKind | undefined {
  switch (kind) {
    case ProtoNodeKind.DAEMON:
      return "daemon";
    case ProtoNodeKind.BROWSER:
      return "browser";
    default:
      return undefined;
  }
}

const kindToProto: Record<NodeKind, ProtoNodeKind> = { daemon: ProtoNodeKind.DAEMON, browser: ProtoNodeKind.BROWSER };

const stateToProto: Record<NodeState, ProtoNodeState> = {
  idle: ProtoNodeState.IDLE,
  busy: ProtoNodeState.BUSY,
  lost: ProtoNodeState.LOST,
  left: ProtoNodeState.LEFT,
};

/** A node state from the wire; undefined for UNSPECIFIED or an unknown value. */
export function nodeStateFromProto(state: ProtoNodeState): NodeState | undefined {
  for (const [name, value] of Object.entries(stateToProto)) if (value === state) return name as NodeState;
  return undefined;
}

/** A registered worker as people see it (ListNodes): no keys, no operator. */
export function nodeToProto(n: NodeRecord): Node {
  return create(NodeSchema, {
    nodeId: n.nodeId,
    kind: kindToProto[n.kind],
    label: n.label,
    capacity: {
      cores: n.cores,
      memoryBytes: BigInt(n.memoryBytes),
      backend: n.backend,
      region: n.region,
      storageBytes: BigInt(n.storageBytes),
    },
    state: stateToProto[n.state],
    reputation: n.reputation,
    lastHeartbeat: timestampFromDate(n.lastHeartbeat),
    registeredAt: timestampFromDate(n.registeredAt),
  });
}
