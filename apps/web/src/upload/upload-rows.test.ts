import { describe, expect, it } from "vitest";
import { defaultChoices } from "./upload-choices.js";
import { rowsReducer, type UploadRow } from "./upload-rows.js";

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
      message: { kind: "progress", id: "u1", progress: progress(4, 1) },
    });
    expect(rows[0]?.phase).toBe("uploading");
    rows = rowsReducer(rows, { type: "worker", message: { kind: "progress", id: "u1", progress: progress(10, 3) } });
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
      message: { kind: "progress", id: "u1", progress: progress(8, 2) },
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
    rows = rowsReducer(rows, { type: "worker", message: { kind: "progress", id: "u1", progress: progress(4, 1) } });
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
});
