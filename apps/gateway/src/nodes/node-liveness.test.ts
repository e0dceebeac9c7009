import { Code, ConnectError } from "@connectrpc/connect";
import { NodeState } from "@cyxwiz/protocol/gen";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningGateway, startGateway } from "../../test-support/gateway-harness.js";
import { nodeClient, registerWorker } from "../../test-support/worker.js";
import { loadConfig } from "../config.js";
import type { NodeChange } from "./node-events.js";
import { createNodeEvents } from "./node-events.js";
import { createNodeLiveness } from "./node-liveness.js";

let gw: RunningGateway;
beforeAll(async () => {
  gw = await startGateway({ CYXWIZ_HEARTBEAT_SECONDS: "2" }); // a lease of 6 s
});
afterAll(async () => {
  await gw.stop();
});

describe("node liveness", () => {
  it("marks a worker silent for three heartbeat periods lost, tells the job engine, and refuses its token", async () => {
    const changes: NodeChange[] = [];
    const off = gw.gateway.deps.nodeEvents.on("changed", (e) => changes.push(e));
    const silent = await registerWorker(gw);
    const beating = await registerWorker(gw);
    expect(beating.registered.heartbeatSeconds).toBe(2);
    const lost = new Promise<void>((resolve) => {
      gw.gateway.deps.nodeEvents.on("changed", (e) => {
        if (e.nodeId === silent.registered.nodeId && e.change === "lost") resolve();
      });
    });
    // One worker keeps its lease; the other says nothing.
    const started = Date.now();
    let beats = 0;
    let done = false;
    const keepAlive = (async () => {
      while (!done) {
        await beating.client.heartbeat({ state: NodeState.BUSY });
        beats++;
        await new Promise((r) => setTimeout(r, 400));
      }
    })();
    await lost;
    const waited = Date.now() - started;
    done = true;
    await keepAlive;
    off();
    expect(waited).toBeGreaterThan(4_000); // not before its lease ran out (6 s after it registered)
    expect(beats).toBeGreaterThan(5);
    expect(changes.filter((e) => e.change === "lost")).toEqual([{ nodeId: silent.registered.nodeId, change: "lost" }]);
    const { nodes } = await nodeClient(gw, gw.adminToken).listNodes({});
    const stateOf = (id: string) => nodes.find((n) => n.nodeId === id)?.state;
    expect(stateOf(silent.registered.nodeId)).toBe(NodeState.LOST);
    expect(stateOf(beating.registered.nodeId)).toBe(NodeState.BUSY);
    const e = ConnectError.from(
      await silent.client.heartbeat({}).then(
        () => new Error("accepted"),
        (x) => x,
      ),
    );
    expect(e.code).toBe(Code.Unauthenticated);
    expect(e.rawMessage).toMatch(/marked lost .*register again/);
    // Registering again brings it back.
    await registerWorker(gw, { identity: silent.identity });
    expect((await gw.gateway.deps.store.nodes.get(silent.registered.nodeId))?.state).toBe("idle");
  });

  it("one sweep marks each silent worker lost once, by the clock it is given", async () => {
    const worker = await registerWorker(gw);
    const events = createNodeEvents();
    const seen: NodeChange[] = [];
    events.on("changed", (e) => seen.push(e));
    let now = new Date();
    const liveness = createNodeLiveness({
      deps: { store: gw.gateway.deps.store, log: gw.gateway.app.log, nodeEvents: events },
      heartbeatSeconds: 60,
      now: () => now,
    });
    expect(await liveness.sweepOnce()).not.toContain(worker.registered.nodeId); // heard from just now
    now = new Date(Date.now() + 181_000); // past three periods of 60 s
    expect(await liveness.sweepOnce()).toContain(worker.registered.nodeId);
    expect(await liveness.sweepOnce()).toEqual([]);
    expect(seen).toContainEqual({ nodeId: worker.registered.nodeId, change: "lost" });
  });

  it("takes the heartbeat period and node token lifetime from the environment", () => {
    expect(loadConfig({}).heartbeatSeconds).toBe(5);
    expect(loadConfig({}).nodeTokenMinutes).toBe(60);
    expect(loadConfig({ CYXWIZ_HEARTBEAT_SECONDS: "2", CYXWIZ_NODE_TOKEN_MINUTES: "15" })).toMatchObject({
      heartbeatSeconds: 2,
      nodeTokenMinutes: 15,
    });
    expect(() => loadConfig({ CYXWIZ_HEARTBEAT_SECONDS: "0" })).toThrow(
      /CYXWIZ_HEARTBEAT_SECONDS must be an integer from 1 to 3600/,
    );
    expect(() => loadConfig({ CYXWIZ_NODE_TOKEN_MINUTES: "2000" })).toThrow(
      /CYXWIZ_NODE_TOKEN_MINUTES must be an integer from 1 to 1440/,
    );
  });
});
