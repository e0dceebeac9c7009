import { describe, expect, it } from "vitest";
import { createDownloadClient, type DownloadUpdate, type DownloadWorkerPort } from "./download-client.js";
import type { DownloadWorkerToPage, PageToDownloadWorker } from "./download-worker-protocol.js";
import type { SaveTarget } from "./save-target.js";

const gateway = { baseUrl: "http://127.0.0.1:1", token: "t", owner: "ada" };

/** A worker that records what the page sent and lets the test answer. */
function fakeWorker() {
  const sent: PageToDownloadWorker[] = [];
  let onMessage: (event: { data: DownloadWorkerToPage }) => void = () => undefined;
  let terminated = false;
  const port: DownloadWorkerPort = {
    postMessage: (m) => sent.push(m),
    addEventListener: ((type: string, listener: (event: never) => void) => {
      if (type === "message") onMessage = listener as typeof onMessage;
    }) as DownloadWorkerPort["addEventListener"],
    terminate: () => {
      terminated = true;
    },
  };
  return { port, sent, answer: (m: DownloadWorkerToPage) => onMessage({ data: m }), terminated: () => terminated };
}

/** A target that keeps what was written; `failWrites` makes every write reject. */
function memoryTarget(failWrites = false) {
  const written: number[][] = [];
  const state = { closed: false, aborted: false };
  const target: SaveTarget = {
    kind: "blob",
    write: async (bytes) => {
      if (failWrites) throw new Error("disk full");
      written.push([...bytes]);
    },
    close: async () => {
      state.closed = true;
    },
    abort: async () => {
      state.aborted = true;
    },
  };
  return { target, written, state };
}

const settle = () => new Promise((r) => setTimeout(r, 0));

describe("the page's side of the download worker", () => {
  it("writes each chunk, then lets the worker send the next; finishes the file on done", async () => {
    const w = fakeWorker();
    const client = createDownloadClient(w.port, gateway);
    const t = memoryTarget();
    const updates: DownloadUpdate[] = [];
    client.start({ ref: "a@v1", transferId: "t1", encrypted: false }, t.target, (u) => updates.push(u));
    const start = w.sent[0];
    expect(start).toMatchObject({ kind: "start", ref: "a@v1", transferId: "t1", encrypted: false, gateway });
    const id = start!.id;
    w.answer({ kind: "chunk", id, index: 0, bytes: Uint8Array.of(1, 2) });
    await settle();
    expect(w.sent.at(-1)).toEqual({ kind: "written", id, index: 0 });
    w.answer({ kind: "chunk", id, index: 1, bytes: Uint8Array.of(3) });
    await settle();
    expect(w.sent.at(-1)).toEqual({ kind: "written", id, index: 1 });
    w.answer({ kind: "done", id, bytes: 3 });
    await settle();
    expect(t.written).toEqual([[1, 2], [3]]);
    expect(t.state).toEqual({ closed: true, aborted: false });
    expect(updates.at(-1)).toEqual({ kind: "done", bytes: 3, savedTo: "blob" });
  });

  it("drops the file when a chunk fails verification, and passes on which chunk", async () => {
    const w = fakeWorker();
    const t = memoryTarget();
    const updates: DownloadUpdate[] = [];
    createDownloadClient(w.port, gateway).start({ ref: "a@v1", transferId: "t1", encrypted: true }, t.target, (u) =>
      updates.push(u),
    );
    const id = w.sent[0]!.id;
    w.answer({
      kind: "failed",
      id,
      failure: "integrity",
      message: "chunk 3 of a@v1 failed verification",
      chunkIndex: 3,
    });
    await settle();
    expect(t.state).toEqual({ closed: false, aborted: true });
    expect(updates).toEqual([
      { kind: "failed", failure: "integrity", message: "chunk 3 of a@v1 failed verification", chunkIndex: 3 },
    ]);
  });

  it("a failed write cancels the download in the worker and is the one failure reported", async () => {
    const w = fakeWorker();
    const t = memoryTarget(true);
    const updates: DownloadUpdate[] = [];
    createDownloadClient(w.port, gateway).start({ ref: "a@v1", transferId: "t1", encrypted: false }, t.target, (u) =>
      updates.push(u),
    );
    const id = w.sent[0]!.id;
    w.answer({ kind: "chunk", id, index: 0, bytes: Uint8Array.of(1) });
    await settle();
    expect(w.sent.at(-1)).toEqual({ kind: "cancel", id });
    w.answer({ kind: "cancelled", id });
    await settle();
    expect(updates).toEqual([
      { kind: "failed", failure: "other", message: "Writing chunk 0 to the file failed: disk full" },
    ]);
    expect(t.state.aborted).toBe(true);
  });

  it("cancel asks the worker to stop; its answer drops the file; close stops the worker and every download", async () => {
    const w = fakeWorker();
    const client = createDownloadClient(w.port, gateway);
    const t1 = memoryTarget();
    const t2 = memoryTarget();
    const updates: DownloadUpdate[] = [];
    const d1 = client.start({ ref: "a@v1", transferId: "t1", encrypted: false }, t1.target, (u) => updates.push(u));
    client.start({ ref: "b@v1", transferId: "t2", encrypted: false }, t2.target, (u) => updates.push(u));
    const [id1, id2] = w.sent.map((m) => m.id);
    expect(id1).not.toBe(id2);
    d1.cancel();
    expect(w.sent.at(-1)).toEqual({ kind: "cancel", id: id1 });
    w.answer({ kind: "cancelled", id: id1! });
    await settle();
    expect(t1.state.aborted).toBe(true);
    client.close();
    await settle();
    expect(w.terminated()).toBe(true);
    expect(t2.state.aborted).toBe(true);
    expect(updates).toEqual([{ kind: "cancelled" }, { kind: "cancelled" }]);
  });
});
