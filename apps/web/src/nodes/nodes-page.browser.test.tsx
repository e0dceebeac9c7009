import { create } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import { Code, ConnectError, createRouterTransport } from "@connectrpc/connect";
import { type Node, NodeKind, NodeSchema, NodeService, NodeState } from "@cyxwiz/protocol/gen";
import { afterEach, describe, expect, it } from "vitest";
import { computeClientsOver } from "../jobs/compute-clients.js";
import { byTestId, type Rendered, render, until } from "../testing/render.js";
import { NodesPage } from "./nodes-page.js";

let r: Rendered | undefined;
afterEach(async () => {
  await r?.unmount();
  r = undefined;
});

const node = (id: string, over: Partial<Omit<Node, "$typeName">> = {}) =>
  Object.assign(
    create(NodeSchema, {
      nodeId: id,
      kind: NodeKind.DAEMON,
      label: "lab-gpu",
      state: NodeState.IDLE,
      reputation: 87,
      capacity: { cores: 16, memoryBytes: 64_000_000_000n, backend: "webgpu", region: "eu-west", storageBytes: 0n },
      lastHeartbeat: timestampFromDate(new Date(Date.now() - 42_000)),
    }),
    over,
  );

describe("NodesPage", () => {
  it("lists each node with its kind, state, backend, capacity, region, reputation bar and last heartbeat, and reads again", async () => {
    let calls = 0;
    const transport = createRouterTransport(({ service }) => {
      service(NodeService, {
        listNodes: () => {
          calls++;
          if (calls >= 3) throw new ConnectError("gateway restarting", Code.Unavailable);
          return {
            nodes:
              calls === 1
                ? [node("node_0123456789abcdef0123456789abcdef")]
                : [
                    node("node_0123456789abcdef0123456789abcdef", { state: NodeState.BUSY }),
                    node("node_b", { kind: NodeKind.BROWSER, label: "Chrome tab", reputation: 30 }),
                  ],
          };
        },
      });
    });
    r = await render(<NodesPage compute={computeClientsOver(transport)} refreshMs={100} />, { width: 1000 });
    const c = r.container;
    const id = "node_0123456789abcdef0123456789abcdef";
    await until(() => byTestId(c, `node-row-${id}`));
    const row = byTestId(c, `node-row-${id}`);
    expect(row.textContent).toContain("node_0123456…");
    for (const part of ["lab-gpu", "daemon", "idle", "webgpu", "16", "64.0 GB", "eu-west", "87"])
      expect(row.textContent).toContain(part);
    expect((byTestId(c, `node-reputation-${id}`) as HTMLMeterElement).value).toBe(87);
    expect(byTestId(c, `node-heartbeat-${id}`).textContent).toBe("42 s ago");
    // Read again: the state changes and a browser tab joins.
    await until(() => expect(byTestId(c, `node-state-${id}`).textContent).toBe("busy"));
    expect(byTestId(c, "node-row-node_b").textContent).toContain("browser");
    // A failed read keeps the table and says why.
    await until(() => expect(byTestId(c, "nodes-error").textContent).toMatch(/cannot reach the gateway/));
    expect(byTestId(c, "nodes-table")).toBeTruthy();
  });
});
