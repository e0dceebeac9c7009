import { describe, expect, it } from "vitest";
import { parseTransferState } from "./transfer-state.js";

const digest = `${"A".repeat(43)}=`;
const valid = {
  format: 1,
  transferId: "tr_1",
  name: "set",
  type: "opaque",
  classification: 0,
  totalSize: 10_000,
  chunkSize: 4096,
  numChunks: 3,
  requestedCodec: "zstd",
  codec: "none",
  encrypted: true,
  escrow: false,
  datasetKey: digest,
  cipher: {
    algorithm: "AES-256-GCM-STREAM-v1",
    salt: "AAAAAAAAAAAAAAAAAAAAAA==",
    noncePrefix: "AAAAAAAAAA==",
    keyCheck: "AAAAAAAAAAAAAAAAAAAAAA==",
  },
  createdAt: "2025-01-01T00:00:00.000Z",
  chunks: [{ storedSize: 4112, digest, compressed: false }, null, null],
};

describe("parseTransferState", () => {
  it("accepts a state the session wrote (after a JSON round trip)", () => {
    const r = parseTransferState(JSON.parse(JSON.stringify(valid)));
    expect(r.ok).toBe(true);
  });

  it("refuses damaged or foreign values, saying why", () => {
    const broken: Array<[string, unknown]> = [
      ["null", null],
      ["another format", { ...valid, format: 2 }],
      ["no transfer id", { ...valid, transferId: "" }],
      ["a chunk count that does not fit the sizes", { ...valid, numChunks: 4, chunks: [null, null, null, null] }],
      ["a codec this version does not know", { ...valid, codec: "brotli" }],
      ["an encrypted state without its key", { ...valid, datasetKey: undefined }],
      ["a key of the wrong length", { ...valid, datasetKey: "AAAA" }],
      ["an unencrypted state holding a key", { ...valid, encrypted: false }],
      ["too few chunk entries", { ...valid, chunks: [null] }],
      ["a short digest", { ...valid, chunks: [{ storedSize: 1, digest: "AAAA", compressed: false }, null, null] }],
      ["a negative size", { ...valid, totalSize: -1 }],
    ];
    for (const [what, value] of broken) {
      const r = parseTransferState(value);
      expect(r.ok, what).toBe(false);
      if (!r.ok) expect(r.reason.length, what).toBeGreaterThan(0);
    }
  });
});
