import { describe, expect, it } from "vitest";
import { defaultChoices } from "./upload-choices.js";
import { PAUSED_MESSAGE, pausingMessage, rowsReducer, rowsToStart, type UploadRow } from "./upload-rows.js";

const file = new File([new Uint8Array(10)], "a.bin", { lastModified: 1 });

function row(phase: UploadRow["phase"] = "uploading"): UploadRow {
  return { id: "u1", file, choices: defaultChoices("a.bin"), phase, fromSaved: false, keyExported: false };
}

const progress = (bytesAcked: number, chunksAcked: number) => ({
  bytesAcked,
  totalBytes: 10,
  chunksAcked,
  totalChunks: 3,
  bytesPerSecond: 100,
  etaSeconds: 1,
});

describe("rowsReducer", () => {
  it("shows committing once every chunk is acknowledged, then the committed root", () => {
    let rows = rowsReducer([row()], {
      type: "worker",
      message: { kind: "progress", id: "u1", progress: progress(4, 1), chunksInFlight: 0 },
    });
    expect(rows[0]?.phase).toBe("uploading");
    rows = rowsReducer(rows, {
      type: "worker",
      message: { kind: "progress", id: "u1", progress: progress(10, 3), chunksInFlight: 0 },
    });
    expect(rows[0]?.phase).toBe("committing");
    rows = rowsReducer(rows, {
      type: "worker",
      message: {
        kind: "committed",
        id: "u1",
        ref: "a.bin@v1",
        merkleRootHex: "ab".repeat(32),
        keyEscrowed: false,
        resumed: false,
      },
    });
    expect(rows[0]).toMatchObject({ phase: "committed", ref: "a.bin@v1", merkleRootHex: "ab".repeat(32) });
  });

  it("stays paused while acknowledgements of frames already in flight arrive", () => {
    const rows = rowsReducer([row("paused")], {
      type: "worker",
      message: { kind: "progress", id: "u1", progress: progress(8, 2), chunksInFlight: 0 },
    });
    expect(rows[0]?.phase).toBe("paused");
    expect(rows[0]?.progress?.bytesAcked).toBe(8);
  });

  it("says it is reconnecting, and clears that once chunks are acknowledged again", () => {
    let rows = rowsReducer([row()], {
      type: "worker",
      message: {
        kind: "event",
        id: "u1",
        event: { kind: "reconnecting", attempt: 2, delayMs: 500, why: "socket closed" },
      },
    });
    expect(rows[0]?.phase).toBe("reconnecting");
    expect(rows[0]?.message).toMatch(/attempt 2/);
    rows = rowsReducer(rows, {
      type: "worker",
      message: { kind: "progress", id: "u1", progress: progress(4, 1), chunksInFlight: 0 },
    });
    expect(rows[0]?.phase).toBe("uploading");
    expect(rows[0]?.message).toBeUndefined();
  });

  it("tells how much a resumed upload already had", () => {
    const rows = rowsReducer([row("starting")], {
      type: "worker",
      message: { kind: "event", id: "u1", event: { kind: "resumed", transferId: "t", chunksDone: 2, totalChunks: 3 } },
    });
    expect(rows[0]?.phase).toBe("uploading");
    expect(rows[0]?.message).toMatch(/2 of 3 chunks/);
  });

  it("keeps a cancelled row cancelled when the engine's failure arrives after", () => {
    let rows = rowsReducer([row()], {
      type: "worker",
      message: { kind: "cancelled", id: "u1", message: "Cancelled." },
    });
    rows = rowsReducer(rows, {
      type: "worker",
      message: { kind: "failed", id: "u1", message: "socket closed", authFailure: false },
    });
    expect(rows[0]?.phase).toBe("cancelled");
  });

  it("changes choices only before the upload starts", () => {
    const encrypted = { ...defaultChoices("a.bin"), encrypt: true };
    expect(rowsReducer([row("ready")], { type: "choices", id: "u1", choices: encrypted })[0]?.choices.encrypt).toBe(
      true,
    );
    expect(rowsReducer([row("uploading")], { type: "choices", id: "u1", choices: encrypted })[0]?.choices.encrypt).toBe(
      false,
    );
  });

  it("ignores messages about other uploads", () => {
    const before = [row()];
    const after = rowsReducer(before, {
      type: "worker",
      message: { kind: "key", id: "other", keyHex: "00".repeat(32) },
    });
    expect(after[0]).toBe(before[0]);
  });

  it("says it is pausing while frames in flight are answered, then paused", () => {
    let rows = rowsReducer([row()], { type: "phase", id: "u1", phase: "pausing", message: pausingMessage(undefined) });
    expect(rows[0]?.message).toBe("Pausing: finishing the chunks in flight…");
    rows = rowsReducer(rows, { type: "worker", message: { kind: "paused", id: "u1", chunksInFlight: 5 } });
    expect(rows[0]).toMatchObject({ phase: "pausing", message: "Pausing: finishing 5 chunks in flight…" });
    // The bar still moves: these acknowledgements are real progress.
    rows = rowsReducer(rows, {
      type: "worker",
      message: { kind: "progress", id: "u1", progress: progress(4, 1), chunksInFlight: 1 },
    });
    expect(rows[0]).toMatchObject({ phase: "pausing", message: "Pausing: finishing 1 chunk in flight…" });
    expect(rows[0]?.progress?.bytesAcked).toBe(4);
    rows = rowsReducer(rows, {
      type: "worker",
      message: { kind: "progress", id: "u1", progress: progress(8, 2), chunksInFlight: 0 },
    });
    expect(rows[0]).toMatchObject({ phase: "paused", message: PAUSED_MESSAGE });
  });

  it("is paused at once when nothing is in flight, and when the socket drops while pausing", () => {
    const paused = rowsReducer([row("pausing")], {
      type: "worker",
      message: { kind: "paused", id: "u1", chunksInFlight: 0 },
    });
    expect(paused[0]?.phase).toBe("paused");
    const dropped = rowsReducer([row("pausing")], {
      type: "worker",
      message: { kind: "event", id: "u1", event: { kind: "reconnecting", attempt: 1, delayMs: 100, why: "closed" } },
    });
    expect(dropped[0]).toMatchObject({ phase: "paused", chunksInFlight: 0 });
  });

  it("commits when the last chunk in flight completes the upload while pausing", () => {
    const rows = rowsReducer([row("pausing")], {
      type: "worker",
      message: { kind: "progress", id: "u1", progress: progress(10, 3), chunksInFlight: 0 },
    });
    expect(rows[0]).toMatchObject({ phase: "committing", message: undefined });
  });

  it("ignores a late pause report once the person resumed", () => {
    const rows = rowsReducer([row("uploading")], {
      type: "worker",
      message: { kind: "paused", id: "u1", chunksInFlight: 3 },
    });
    expect(rows[0]?.phase).toBe("uploading");
  });
});

describe("rowsToStart", () => {
  const r = (id: string, phase: UploadRow["phase"]): UploadRow => ({ ...row(phase), id });

  it("starts queued rows in order, only as many as there are free slots", () => {
    expect(rowsToStart([r("a", "queued"), r("b", "queued")], 1).map((x) => x.id)).toEqual(["a"]);
    expect(rowsToStart([r("a", "queued"), r("b", "queued"), r("c", "queued")], 2).map((x) => x.id)).toEqual(["a", "b"]);
  });

  it("keeps a row queued behind a running upload until that one is done", () => {
    for (const busy of ["starting", "uploading", "pausing", "reconnecting", "committing"] as const)
      expect(rowsToStart([r("a", busy), r("b", "queued")], 1)).toEqual([]);
    for (const done of ["committed", "failed", "cancelled", "paused", "ready"] as const)
      expect(rowsToStart([r("a", done), r("b", "queued")], 1).map((x) => x.id)).toEqual(["b"]);
  });
});
