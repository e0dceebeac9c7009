import { create } from "@bufbuild/protobuf";
import { Code, ConnectError, createClient, createRouterTransport } from "@connectrpc/connect";
import { createChunkKeyCipher, generateDatasetKey, generateX25519KeyPair, openGrant } from "@cyxwiz/protocol/crypto";
import {
  DatasetManifestSchema,
  DatasetService,
  DatasetVersionSchema,
  type GrantKeysRequest,
  type Job,
  JobService,
  JobState,
  KeyRequestSchema,
  NodeKind,
  type WatchJobResponse,
  WatchJobResponseSchema,
  WorkerState,
} from "@cyxwiz/protocol/gen";
import { loadPrimitives } from "@cyxwiz/protocol/primitives";
import { act } from "react";
import { afterEach, describe, expect, it } from "vitest";
import { DATASET_KEYS_DB_NAME, openDatasetKeyStore } from "../keys/dataset-key-store.js";
import { byTestId, type Rendered, render, until } from "../testing/render.js";
import { computeClientsOver } from "./compute-clients.js";
import { closedRound, runningJob, worker } from "./job-fixtures.js";
import { JobPage } from "./job-page.js";

let r: Rendered | undefined;
afterEach(async () => {
  await r?.unmount();
  r = undefined;
});

const owner = { gateway: "https://gw.test", owner: "ada" };

/** A WatchJob stream the test feeds: each push is one message; end() closes it. */
function feed() {
  const queue: (WatchJobResponse | "end")[] = [];
  let wake: (() => void) | undefined;
  return {
    push(e: WatchJobResponse | "end") {
      queue.push(e);
      wake?.();
    },
    async *stream(): AsyncIterable<WatchJobResponse> {
      for (;;) {
        while (queue.length === 0) await new Promise<void>((resolve) => (wake = resolve));
        const next = queue.shift()!;
        if (next === "end") return;
        yield next;
      }
    },
  };
}

const ev = (event: WatchJobResponse["event"]) => create(WatchJobResponseSchema, { event });

describe("JobPage", () => {
  it("draws the snapshot, then each closed round, worker change and state as the stream sends them", async () => {
    const f = feed();
    const transport = createRouterTransport(({ service }) => {
      service(JobService, {
        watchJob: () => f.stream(),
        getJob: () => ({
          job: runningJob({
            state: JobState.SUCCEEDED,
            reason: "5 rounds done",
            rounds: [closedRound(1, 0.6), closedRound(2, 0.8)],
          }),
        }),
        getModel: () => ({
          modelJson: JSON.stringify({ modelTopology: {}, weightsManifest: [{ paths: ["weights.bin"], weights: [] }] }),
          weights: new Uint8Array(16),
          round: 2,
        }),
      });
    });
    const compute = computeClientsOver(transport);
    r = await render(
      <JobPage id="job_1" compute={compute} datasets={createClient(DatasetService, transport)} owner={owner} />,
      {
        width: 1000,
      },
    );
    const c = r.container;
    f.push(ev({ case: "snapshot", value: runningJob() }));
    await until(() => expect(byTestId(c, "job-state").dataset.state).toBe("running"));
    expect(byTestId(c, "job-dataset").textContent).toBe("mnist@v1");
    expect(byTestId(c, "job-model").textContent).toBe("mnist-mlp");
    expect(byTestId(c, "job-round").textContent).toBe("1/5");
    expect(byTestId(c, "job-accuracy").textContent).toBe("–");
    // The settings the job runs with are folded away below, one click from view.
    expect((byTestId(c, "job-settings") as HTMLDetailsElement).open).toBe(false);
    expect(byTestId(c, "job-setting-evaluation").textContent).toBe("the validation split");
    expect(byTestId(c, "job-chart-global").dataset.points).toBe("0");
    expect(byTestId(c, "job-watch-mode").dataset.mode).toBe("live");
    expect(byTestId(c, "job-worker-backend-node_a").textContent).toBe("wasm");
    expect((byTestId(c, "job-download-model") as HTMLButtonElement).disabled).toBe(true);

    f.push(ev({ case: "roundClosed", value: closedRound(1, 0.6) }));
    f.push(ev({ case: "roundClosed", value: closedRound(2, 0.8) }));
    await until(() => expect(byTestId(c, "job-chart-global").dataset.points).toBe("2"));
    expect(byTestId(c, "job-round").textContent).toBe("2/5");
    expect(byTestId(c, "job-accuracy").textContent).toBe("80.0%");
    // recharts drew the lines: loss and accuracy of the global model, and one line per worker in each worker chart.
    await until(() =>
      expect(byTestId(c, "job-chart-global").querySelectorAll("path.recharts-line-curve").length).toBe(2),
    );
    await until(() =>
      expect(byTestId(c, "job-chart-workers-accuracy").querySelectorAll("path.recharts-line-curve").length).toBe(2),
    );
    const rows = [...byTestId(c, "job-global-table").querySelectorAll("tbody tr")].map((tr) =>
      [...tr.children].map((td) => td.textContent),
    );
    expect(rows).toEqual([
      ["1", "0.4000", "0.6000"],
      ["2", "0.2000", "0.8000"],
    ]);
    expect(byTestId(c, "job-round-2").dataset.closedBy).toBe("quorum");
    expect(byTestId(c, "job-round-2").textContent).toContain("2 accepted, 0 rejected");
    expect((byTestId(c, "job-download-model") as HTMLButtonElement).disabled).toBe(false);
    await act(async () => byTestId(c, "job-download-model").click());
    await until(() =>
      expect(byTestId(c, "job-download-done").textContent).toBe("Saved model.json and weights.bin (round 2)."),
    );

    f.push(ev({ case: "worker", value: worker("node_a", 0, { state: WorkerState.LOST }) }));
    f.push(ev({ case: "worker", value: worker("node_c", 2, { backend: "webgpu", kind: NodeKind.BROWSER }) }));
    await until(() => expect(byTestId(c, "job-worker-state-node_a").textContent).toBe("lost"));
    expect(byTestId(c, "job-worker-backend-node_c").textContent).toBe("webgpu");

    // node_b's update is rejected; at the job's end the workers still in it come as done, then the state.
    f.push(ev({ case: "worker", value: worker("node_b", 1, { state: WorkerState.REJECTED }) }));
    f.push(ev({ case: "worker", value: worker("node_c", 2, { state: WorkerState.DONE, backend: "webgpu" }) }));
    await until(() => expect(byTestId(c, "job-worker-state-node_c").textContent).toBe("done"));
    expect(byTestId(c, "job-worker-state-node_b").textContent).toBe("rejected");
    f.push(ev({ case: "state", value: JobState.SUCCEEDED }));
    f.push("end");
    await until(() => expect(byTestId(c, "job-state").dataset.state).toBe("succeeded"));
    // The state event is followed by GetJob, which brings the reason.
    await until(() => expect(byTestId(c, "job-reason").textContent).toBe("5 rounds done"));
    await until(() => expect(byTestId(c, "job-watch-mode").dataset.mode).toBe("ended"));
    expect(c.querySelector('[data-testid="job-cancel"]')).toBeNull();
  });

  it("reconnects when the stream drops before the job ends, and starts again from the new snapshot", async () => {
    let calls = 0;
    const transport = createRouterTransport(({ service }) => {
      service(JobService, {
        async *watchJob() {
          calls++;
          yield ev({
            case: "snapshot",
            value: calls === 1 ? runningJob() : runningJob({ rounds: [closedRound(1, 0.7)] }),
          });
          if (calls === 1) return; // the connection drops
          await new Promise(() => {}); // the second stays open
        },
      });
    });
    r = await render(
      <JobPage
        id="job_1"
        compute={computeClientsOver(transport)}
        datasets={createClient(DatasetService, transport)}
        owner={owner}
        timings={{ retryMs: () => 10 }}
      />,
    );
    const c = r.container;
    await until(() => expect(byTestId(c, "job-accuracy").textContent).toBe("70.0%"));
    expect(calls).toBe(2);
    expect(byTestId(c, "job-watch-mode").dataset.mode).toBe("live");
  });

  it("says why a job of data the gateway cannot read has no global curve once rounds close", async () => {
    const unevaluated = closedRound(1, 0.9);
    unevaluated.global = undefined;
    const transport = createRouterTransport(({ service }) => {
      service(JobService, {
        async *watchJob() {
          yield ev({ case: "snapshot", value: runningJob({ rounds: [unevaluated] }) });
          await new Promise(() => {});
        },
      });
    });
    r = await render(
      <JobPage
        id="job_1"
        compute={computeClientsOver(transport)}
        datasets={createClient(DatasetService, transport)}
        owner={owner}
      />,
    );
    const c = r.container;
    await until(() =>
      expect(byTestId(c, "job-chart-global-empty").textContent).toMatch(/^The gateway does not evaluate/),
    );
    expect(byTestId(c, "job-chart-global-empty").textContent).toContain("holds no key to mnist@v1");
    // The workers' own figures are drawn.
    await until(() => expect(byTestId(c, "job-chart-workers").dataset.points).toBe("1"));
  });

  it("polls GetJob when the stream keeps failing, and cancels after confirmation", async () => {
    let job: Job = runningJob();
    let cancelled = 0;
    const transport = createRouterTransport(({ service }) => {
      service(JobService, {
        // biome-ignore lint/correctness/useYield: a stream that fails before its first message
        async *watchJob() {
          throw new ConnectError("proxy closed the stream", Code.Unavailable);
        },
        getJob: () => ({ job }),
        cancelJob: ({ id }) => {
          cancelled++;
          job = runningJob({ id, state: JobState.CANCELLED, reason: "cancelled from the dashboard" });
          return { job };
        },
      });
    });
    r = await render(
      <JobPage
        id="job_1"
        compute={computeClientsOver(transport)}
        datasets={createClient(DatasetService, transport)}
        owner={owner}
        timings={{ retryMs: () => 10, maxFailures: 2, pollMs: 50 }}
      />,
    );
    const c = r.container;
    await until(() => expect(byTestId(c, "job-watch-mode").dataset.mode).toBe("polling"));
    expect(byTestId(c, "job-state").dataset.state).toBe("running");
    await act(async () => byTestId(c, "job-cancel").click());
    expect(cancelled).toBe(0);
    await act(async () => byTestId(c, "job-cancel-confirm").click());
    await until(() => expect(byTestId(c, "job-state").dataset.state).toBe("cancelled"));
    expect(cancelled).toBe(1);
    await until(() => expect(byTestId(c, "job-watch-mode").dataset.mode).toBe("ended"));
  });

  it("waiting for keys: lists the requests, grants with the key kept in this browser, and each worker can open its grant", async () => {
    const primitives = await loadPrimitives();
    const datasetKey = generateDatasetKey();
    const made = await createChunkKeyCipher(primitives, datasetKey);
    if (!made.ok) throw new Error(made.error.message);
    const a = generateX25519KeyPair();
    const b = generateX25519KeyPair();
    const waiting = runningJob({
      state: JobState.WAITING_FOR_KEYS,
      reason: "waiting for the owner to grant 2 workers their keys",
      keyRequests: [
        create(KeyRequestSchema, {
          nodeId: "node_a",
          kind: NodeKind.BROWSER,
          label: "Chrome tab",
          region: "Europe/Paris",
          reputation: 92,
          agreementPublicKey: a.publicKey,
          shard: 0,
          chunkIndices: [0, 1],
        }),
        create(KeyRequestSchema, {
          nodeId: "node_b",
          kind: NodeKind.DAEMON,
          label: "lab-gpu",
          region: "eu-west",
          reputation: 75,
          agreementPublicKey: b.publicKey,
          shard: 1,
          chunkIndices: [2],
        }),
      ],
    });
    const granted: GrantKeysRequest[] = [];
    const f = feed();
    const transport = createRouterTransport(({ service }) => {
      service(JobService, {
        watchJob: () => f.stream(),
        grantKeys: (req) => {
          granted.push(req);
          return { job: runningJob({ state: JobState.RUNNING }) };
        },
      });
      service(DatasetService, {
        getDataset: () => ({
          version: create(DatasetVersionSchema, { ref: "mnist@v1", transferId: "tr_mnist", encrypted: true }),
          manifest: create(DatasetManifestSchema, { cipher: made.value.parameters }),
        }),
      });
    });
    // The key as the upload page keeps it after committing an encrypted upload.
    const store = await openDatasetKeyStore();
    await store.save({ ...owner, transferId: "tr_mnist", ref: "mnist@v1", datasetKey: datasetKey.slice() });
    store.close();
    try {
      r = await render(
        <JobPage
          id="job_1"
          compute={computeClientsOver(transport)}
          datasets={createClient(DatasetService, transport)}
          owner={owner}
        />,
        { width: 1000 },
      );
      const c = r.container;
      f.push(ev({ case: "snapshot", value: waiting }));
      await until(() => expect(byTestId(c, "job-state").dataset.state).toBe("waiting-for-keys"));
      const row = byTestId(c, "job-key-request-node_a").textContent;
      for (const part of ["Chrome tab", "node_a", "browser", "Europe/Paris", "92"]) expect(row).toContain(part);
      expect(byTestId(c, "job-key-request-node_b").textContent).toContain("lab-gpu");

      await act(async () => byTestId(c, "job-grant-keys").click());
      await until(() => expect(granted.length).toBe(1));
      expect(granted[0]!.id).toBe("job_1");
      const byNode = new Map(granted[0]!.grants.map((g) => [g.nodeId, g.grant!]));
      const openedA = await openGrant(primitives, a.secretKey, byNode.get("node_a")!);
      const openedB = await openGrant(primitives, b.secretKey, byNode.get("node_b")!);
      expect(openedA.ok && [...openedA.value.keys.keys()]).toEqual([0, 1]);
      expect(openedB.ok && [...openedB.value.keys.keys()]).toEqual([2]);
      expect((await openGrant(primitives, b.secretKey, byNode.get("node_a")!)).ok).toBe(false);
      await until(() => expect(byTestId(c, "job-state").dataset.state).toBe("running"));
    } finally {
      await new Promise<void>((resolve) => {
        const del = indexedDB.deleteDatabase(DATASET_KEYS_DB_NAME);
        del.onsuccess = del.onerror = del.onblocked = () => resolve();
      });
    }
  });

  it("waiting for keys without the key in this browser: says so, refuses a wrong recovery key, grants with the right one", async () => {
    const primitives = await loadPrimitives();
    const datasetKey = generateDatasetKey();
    const made = await createChunkKeyCipher(primitives, datasetKey);
    if (!made.ok) throw new Error(made.error.message);
    const a = generateX25519KeyPair();
    const granted: GrantKeysRequest[] = [];
    const f = feed();
    const transport = createRouterTransport(({ service }) => {
      service(JobService, {
        watchJob: () => f.stream(),
        grantKeys: (req) => {
          granted.push(req);
          return { job: runningJob() };
        },
      });
      service(DatasetService, {
        getDataset: () => ({
          version: create(DatasetVersionSchema, { ref: "mnist@v1", transferId: "tr_mnist", encrypted: true }),
          manifest: create(DatasetManifestSchema, { cipher: made.value.parameters }),
        }),
      });
    });
    r = await render(
      <JobPage
        id="job_1"
        compute={computeClientsOver(transport)}
        datasets={createClient(DatasetService, transport)}
        owner={owner}
        loadKey={async () => undefined}
      />,
    );
    const c = r.container;
    f.push(
      ev({
        case: "snapshot",
        value: runningJob({
          state: JobState.WAITING_FOR_KEYS,
          keyRequests: [
            create(KeyRequestSchema, {
              nodeId: "node_a",
              agreementPublicKey: a.publicKey,
              shard: 0,
              chunkIndices: [4],
            }),
          ],
        }),
      }),
    );
    await until(() => byTestId(c, "job-grant-keys"));
    await act(async () => byTestId(c, "job-grant-keys").click());
    await until(() =>
      expect(byTestId(c, "job-key-error").textContent).toMatch(/key of mnist@v1 is not in this browser/),
    );
    const enter = async (text: string) => {
      const input = byTestId(c, "job-key-input") as HTMLInputElement; // the form is drawn again after each try
      await act(async () => {
        Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, "value")?.set?.call(input, text);
        input.dispatchEvent(new Event("input", { bubbles: true }));
      });
      await act(async () => byTestId(c, "job-key-submit").click());
    };
    await enter("ab".repeat(32));
    await until(() =>
      expect(byTestId(c, "job-key-error").textContent).toBe(
        "That is not the key of mnist@v1: check the recovery key and try again.",
      ),
    );
    expect(granted).toEqual([]);
    await enter([...datasetKey].map((x) => x.toString(16).padStart(2, "0")).join(""));
    await until(() => expect(granted.length).toBe(1));
    const opened = await openGrant(primitives, a.secretKey, granted[0]!.grants[0]!.grant!);
    expect(opened.ok && [...opened.value.keys.keys()]).toEqual([4]);
  });
});
