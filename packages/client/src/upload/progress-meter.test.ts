import { bytesByteSource, createChunkPacker } from "@cyxwiz/protocol/chunk";
import { loadPrimitives } from "@cyxwiz/protocol/primitives";
import { describe, expect, it } from "vitest";
import type { TransferState } from "../transfer-state.js";
import { createLiveTransfer } from "./live-transfer.js";
import { createProgressMeter } from "./progress-meter.js";
import type { UploadProgress } from "./upload-types.js";

const primitives = await loadPrimitives();

function live(saved: TransferState["chunks"]) {
  const source = bytesByteSource(new Uint8Array(2500));
  const state = { numChunks: 3, chunks: saved } as unknown as TransferState;
  const packer = createChunkPacker(primitives, source, { chunkSize: 1000 });
  return createLiveTransfer({
    state,
    packer,
    datasetKey: undefined,
    cipher: undefined,
    resumed: true,
    completedOnGateway: false,
  });
}

describe("progress meter and durable chunks", () => {
  it("counts chunks saved as done as acked, but not in this run's rate", () => {
    const record = { storedSize: 1000, digest: "A".repeat(44), compressed: false };
    const l = live([record, null, null]);
    expect(l.durable.size).toBe(1);
    expect(l.bytesDurable).toBe(1000);
    let clock = 0;
    const reports: UploadProgress[] = [];
    const meter = createProgressMeter(
      2500,
      (p) => reports.push(p),
      () => clock,
    );
    meter.start();
    meter.report(l);
    expect(reports[0]).toMatchObject({ bytesAcked: 1000, chunksAcked: 1, totalChunks: 3, bytesPerSecond: 0 });
    expect(reports[0]!.etaSeconds).toBeUndefined();
    clock = 2000;
    expect(l.markDurable(2, record)).toBe(true);
    expect(l.markDurable(2, record)).toBe(false); // a duplicate ack counts once
    meter.countSent(500);
    meter.report(l);
    expect(reports[1]).toMatchObject({ bytesAcked: 1500, chunksAcked: 2, bytesPerSecond: 250, etaSeconds: 4 });
    expect(l.snapshot().chunks).toEqual([record, null, record]);
  });
});
