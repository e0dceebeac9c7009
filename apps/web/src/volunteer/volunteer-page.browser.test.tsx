import { act } from "react";
import { afterEach, describe, expect, it } from "vitest";
import { byTestId, type Rendered, render, until } from "../testing/render.js";
import { VolunteerPage } from "./volunteer-page.js";
import type {
  FromVolunteerWorker,
  ToVolunteerWorker,
  VolunteerEvent,
  VolunteerWorkerPort,
} from "./volunteer-protocol.js";

let r: Rendered | undefined;
afterEach(async () => {
  await r?.unmount();
  r = undefined;
});

/** A fake Web Worker: records what the page posts; the test plays runWorker's events. */
class FakeWorker implements VolunteerWorkerPort {
  readonly received: ToVolunteerWorker[] = [];
  terminated = false;
  onmessage: ((event: MessageEvent<FromVolunteerWorker>) => void) | null = null;
  onerror: ((event: ErrorEvent) => void) | null = null;
  postMessage(message: ToVolunteerWorker) {
    this.received.push(message);
  }
  terminate() {
    this.terminated = true;
  }
  send(data: FromVolunteerWorker) {
    return act(async () => this.onmessage?.(new MessageEvent("message", { data })));
  }
  event(event: VolunteerEvent) {
    return this.send({ type: "event", event });
  }
}

const identity = {
  nodeId: "node_feedface",
  signing: { secretKey: new Uint8Array(32).fill(1) },
  agreement: { secretKey: new Uint8Array(32).fill(2) },
};

describe("VolunteerPage", () => {
  it("Join starts the worker with this browser's identity; the page follows its events; Stop sends leave", async () => {
    const workers: FakeWorker[] = [];
    r = await render(
      <VolunteerPage
        baseUrl="https://gw.test"
        token="a.b.c"
        createWorker={() => {
          const w = new FakeWorker();
          workers.push(w);
          return w;
        }}
        loadIdentity={async () => identity}
      />,
    );
    const c = r.container;
    expect(byTestId(c, "volunteer-status").textContent).toBe("Not joined");
    await act(async () => byTestId(c, "volunteer-join").click());
    await until(() => expect(workers.length).toBe(1));
    const w = workers[0]!;
    const join = w.received[0];
    expect(join).toMatchObject({
      type: "join",
      baseUrl: "https://gw.test",
      token: "a.b.c",
      wasmPath: "/_next/static/tfjs-wasm/",
    });
    if (join?.type !== "join") throw new Error("no join");
    expect([...join.signingSeed]).toEqual([...identity.signing.secretKey]);
    expect(join.capacity.cores).toBeGreaterThan(0);
    expect(byTestId(c, "volunteer-node").textContent).toBe("node_feedface");

    await w.event({ type: "registered", nodeId: "node_feedface" });
    await w.event({
      type: "backend",
      backend: "webgpu",
      reason: "the first choice (webgpu, wasm, cpu), and it started",
    });
    await w.event({ type: "assignment", jobId: "job_7", round: 2, shard: 1, samples: 1500, chunks: 2 });
    await w.event({ type: "fetch", done: 2, total: 2, cached: 1 });
    await w.event({ type: "batch", step: 10, loss: 0.4321, accuracy: 0.875, samplesPerSecond: 1234 });
    await w.event({ type: "submitted", jobId: "job_7", round: 2, accepted: true, reason: "" });
    expect(byTestId(c, "volunteer-panel").dataset.status).toBe("working");
    expect(byTestId(c, "volunteer-backend").textContent).toBe("webgpu");
    expect(byTestId(c, "volunteer-backend-reason").textContent).toBe(
      "why: the first choice (webgpu, wasm, cpu), and it started",
    );
    expect(byTestId(c, "volunteer-job").textContent).toBe("job_7");
    expect(byTestId(c, "volunteer-round").textContent).toBe("2");
    expect(byTestId(c, "volunteer-shard").textContent).toBe("1 (1,500 samples)");
    expect(byTestId(c, "volunteer-fetch").textContent).toBe("chunks 2/2, 1 cached");
    expect(byTestId(c, "volunteer-rate").textContent).toBe("1234");
    expect(byTestId(c, "volunteer-loss").textContent).toBe("0.4321");
    expect(byTestId(c, "volunteer-accuracy").textContent).toBe("87.5%");
    expect(byTestId(c, "volunteer-contribution").textContent).toBe(
      "Contribution since Join: 1,500 samples trained, 1 of 1 update accepted.",
    );

    await act(async () => byTestId(c, "volunteer-stop").click());
    expect(w.received.at(-1)).toEqual({ type: "leave", reason: "the volunteer pressed Stop" });
    expect(byTestId(c, "volunteer-status").textContent).toBe("Leaving…");
    await w.event({ type: "left" });
    await w.send({ type: "stopped" });
    expect(byTestId(c, "volunteer-status").textContent).toBe("Left");
    expect(w.terminated).toBe(true);
    expect(byTestId(c, "volunteer-join")).toBeTruthy();
  });

  it("closing the tab (pagehide) sends leave; a failed worker shows why", async () => {
    const w = new FakeWorker();
    r = await render(
      <VolunteerPage
        baseUrl="https://gw.test"
        token="a.b.c"
        createWorker={() => w}
        loadIdentity={async () => identity}
      />,
    );
    const c = r.container;
    await act(async () => byTestId(c, "volunteer-join").click());
    await until(() => expect(w.received.length).toBe(1));
    window.dispatchEvent(new Event("pagehide"));
    expect(w.received.at(-1)).toEqual({ type: "leave", reason: "the volunteer closed the tab" });
    await w.send({ type: "stopped", error: "Register refused: this gateway takes no browser workers" });
    expect(byTestId(c, "volunteer-panel").dataset.status).toBe("failed");
    expect(byTestId(c, "volunteer-error").textContent).toBe("Register refused: this gateway takes no browser workers");
  });

  it("says so when this browser cannot keep an identity, and starts no worker", async () => {
    let started = 0;
    r = await render(
      <VolunteerPage
        baseUrl="https://gw.test"
        token="a.b.c"
        createWorker={() => {
          started++;
          return new FakeWorker();
        }}
        loadIdentity={async () => {
          throw new Error("this browser has no IndexedDB");
        }}
      />,
    );
    await act(async () => byTestId(r!.container, "volunteer-join").click());
    await until(() => expect(byTestId(r!.container, "volunteer-error").textContent).toMatch(/no IndexedDB/));
    expect(started).toBe(0);
  });
});
