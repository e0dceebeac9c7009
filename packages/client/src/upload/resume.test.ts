import { DataClassification } from "@cyxwiz/protocol/gen";
import { describe, expect, it } from "vitest";
import type { TransferState } from "../transfer-state.js";
import { savedStateMismatch } from "./resume.js";
import { checkUploadOptions } from "./upload-settings.js";
import type { UploadOptions } from "./upload-types.js";

const key = new Uint8Array(32).fill(3);
const base = { name: "set", chunkSize: 1000, encrypt: true, datasetKey: key } as unknown as UploadOptions;
const saved: TransferState = {
  format: 1,
  transferId: "t1",
  name: "set",
  type: "opaque",
  classification: DataClassification.PUBLIC,
  totalSize: 2500,
  chunkSize: 1000,
  numChunks: 3,
  requestedCodec: "none",
  codec: "none",
  encrypted: true,
  escrow: false,
  datasetKey: btoa(String.fromCharCode(...key)),
  createdAt: "2026-12-02T04:00:00.000Z",
  chunks: [null, null, null],
};

describe("savedStateMismatch", () => {
  it("continues a saved upload made with the same settings", () => {
    expect(savedStateMismatch(saved, checkUploadOptions(base), 2500)).toBeUndefined();
  });

  it("names the first setting that differs", () => {
    const cases: Array<[Partial<UploadOptions>, number, string]> = [
      [{ name: "other" }, 2500, "name"],
      [{ type: "csv" }, 2500, "type"],
      [{ classification: DataClassification.INTERNAL }, 2500, "classification"],
      [{}, 2501, "size"],
      [{ chunkSize: 2000 }, 2500, "chunk size"],
      [{ compression: "zstd" }, 2500, "compression"],
      [{ datasetKey: new Uint8Array(32) }, 2500, "dataset key"],
    ];
    for (const [change, size, what] of cases) {
      expect(savedStateMismatch(saved, checkUploadOptions({ ...base, ...change }), size), what).toBe(what);
    }
    const plain = checkUploadOptions({ name: "set", chunkSize: 1000 } as unknown as UploadOptions);
    expect(savedStateMismatch(saved, plain, 2500)).toBe("encryption");
  });
});
