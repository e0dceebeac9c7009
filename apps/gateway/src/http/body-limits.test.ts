import { create, toBinary, toJsonString } from "@bufbuild/protobuf";
import {
  AuthService,
  CommitUploadRequestSchema,
  DataChunkSchema,
  DataClassification,
  DatasetManifestSchema,
  DatasetService,
  DataTransferService,
  NodeKind,
  NodeService,
  RegisterRequestSchema,
  TransferRequestSchema,
} from "@cyxwiz/protocol/gen";
import { describe, expect, it } from "vitest";
import { loadConfig } from "../config.js";
import {
  COMMIT_BYTES_PER_CHUNK,
  CONTROL_BODY_BYTES,
  createBodyCaps,
  INITIATE_BYTES_PER_CHUNK,
  MANIFEST_FIXED_BYTES,
} from "./body-limits.js";

/** The largest CommitUpload a client can send for `n` chunks: every size at its maximum, signed, escrowed. */
function largestCommit(n: number) {
  const digest = new Uint8Array(32).fill(0xff);
  const manifest = create(DatasetManifestSchema, {
    formatVersion: 2,
    metadata: {
      name: "n".repeat(128),
      type: "parquet",
      dtype: "float32",
      shape: [1n << 40n, 1n << 40n, 1n << 40n],
      totalSize: 1n << 50n,
      numSamples: 1n << 40n,
      merkleRoot: digest,
      numChunks: n,
      chunkSize: 0xffffffff,
      classification: DataClassification.INTERNAL,
    },
    cipher: { algorithm: "AES-256-GCM", salt: digest, noncePrefix: digest.subarray(0, 8), keyCheck: digest },
    plainSizes: Array(n).fill(0xffffffff),
    storedSizes: Array(n).fill(0xffffffff),
    chunkDigests: Array(n).fill(digest),
    compressed: Array(n).fill(true),
    createdAt: { seconds: 253_402_300_799n, nanos: 999_999_999 }, // 9999-12-31T23:59:59.999999999Z
    // A dataset of samples: the most columns and labels a manifest records, and a count per chunk.
    samples: {
      sourceFormat: "parquet",
      columns: Array.from({ length: 10_000 }, (_, i) => ({
        name: `column_${String(i).padStart(40, "0")}`,
        arrowType: "FixedSizeList[784]<Uint8>",
        role: 1,
        dtype: "float64",
        shape: [0xffffffff, 0xffffffff],
      })),
      numSamples: 1n << 50n,
      chunkSampleCounts: Array(n).fill(0xffffffff),
      labelColumn: "label",
      labelHistogram: Array.from({ length: 10_000 }, (_, i) => ({ label: `${i}`.padEnd(100, "é"), count: 1n << 50n })),
      split: { trainPermille: 800, validationPermille: 100, testPermille: 100, seed: 1n << 60n },
      order: {
        strategy: "class-balanced",
        shards: 0xffffffff,
        seed: 1n << 60n,
        column: "label",
        shardSampleCounts: [],
      },
      originalName: "o".repeat(1000),
      originalSize: 1n << 50n,
    },
  });
  return create(CommitUploadRequestSchema, {
    transferId: "tr_0123456789abcdef01234567",
    manifest,
    signedManifest: {
      manifest: toBinary(DatasetManifestSchema, manifest),
      signature: new Uint8Array(64).fill(0xff),
      signerPublicKey: digest,
    },
    escrowedKey: {
      ephemeralPublicKey: digest,
      recipientPublicKey: digest,
      nonce: digest.subarray(0, 12),
      ciphertext: digest,
    },
  });
}

const jsonBytes = (s: string) => new TextEncoder().encode(s).byteLength;

describe("body caps per method", () => {
  const config = loadConfig({});
  const caps = createBodyCaps(config);

  it("gives control RPCs 64 KiB and sizes CommitUpload and StreamData from the configuration", () => {
    expect(caps.capFor(AuthService.method.login)).toBe(CONTROL_BODY_BYTES);
    expect(caps.capFor(AuthService.method.whoAmI)).toBe(CONTROL_BODY_BYTES);
    expect(caps.capFor(DatasetService.method.getDataset)).toBe(CONTROL_BODY_BYTES);
    expect(caps.capFor(DatasetService.method.commitUpload)).toBe(
      MANIFEST_FIXED_BYTES + config.maxChunks * COMMIT_BYTES_PER_CHUNK,
    );
    const small = createBodyCaps(loadConfig({ CYXWIZ_MAX_CHUNKS: "10", CYXWIZ_MAX_PAYLOAD_BYTES: "4096" }));
    expect(small.capFor(DatasetService.method.commitUpload)).toBe(MANIFEST_FIXED_BYTES + 10 * COMMIT_BYTES_PER_CHUNK);
    expect(small.capFor(DataTransferService.method.initiateTransfer)).toBe(
      CONTROL_BODY_BYTES + 10 * INITIATE_BYTES_PER_CHUNK,
    );
    expect(small.capFor(DataTransferService.method.streamData)).toBe(Math.ceil((4096 * 4) / 3) + CONTROL_BODY_BYTES);
  });

  it("fits the largest CommitUpload of the most chunks allowed, in JSON and in binary", () => {
    const n = config.maxChunks;
    const big = largestCommit(n);
    const cap = caps.capFor(DatasetService.method.commitUpload);
    const json = jsonBytes(toJsonString(CommitUploadRequestSchema, big));
    const binary = toBinary(CommitUploadRequestSchema, big).byteLength;
    expect(json).toBeLessThanOrEqual(cap);
    expect(binary).toBeLessThanOrEqual(cap);
    // What a chunk adds stays under the per-chunk allowance, with room.
    const perChunk = (json - jsonBytes(toJsonString(CommitUploadRequestSchema, largestCommit(0)))) / n;
    expect(perChunk).toBeLessThan(COMMIT_BYTES_PER_CHUNK);
  });

  it("fits the InitiateTransfer of a dataset of samples with the most chunks, each at its largest size", () => {
    const n = config.maxChunks;
    const request = (count: number) =>
      create(TransferRequestSchema, {
        metadata: { name: "n".repeat(128), totalSize: 1n << 50n, numChunks: count, chunkSize: 0xffffffff },
        options: { compression: "zstd", chunkSize: 0xffffffff, chunkPlainSizes: Array(count).fill(0xffffffff) },
        security: { encryptPayload: true },
      });
    const cap = caps.capFor(DataTransferService.method.initiateTransfer);
    expect(jsonBytes(toJsonString(TransferRequestSchema, request(n)))).toBeLessThanOrEqual(cap);
    const perChunk =
      (jsonBytes(toJsonString(TransferRequestSchema, request(n))) -
        jsonBytes(toJsonString(TransferRequestSchema, request(0)))) /
      n;
    expect(perChunk).toBeLessThanOrEqual(INITIATE_BYTES_PER_CHUNK);
  });

  it("fits a StreamData message carrying the largest payload, in JSON", () => {
    // At a 1 MiB payload limit (the cap is linear in it; 16 MiB only takes longer to encode).
    const config = loadConfig({ CYXWIZ_MAX_PAYLOAD_BYTES: String(1024 * 1024) });
    const caps = createBodyCaps(config);
    const chunk = create(DataChunkSchema, {
      transferId: "tr_0123456789abcdef01234567",
      chunkIndex: 0xffffffff,
      sequence: 1n << 60n,
      payload: new Uint8Array(config.maxPayloadBytes).fill(0xff),
      fcs: 0xffffffff,
      checksum: new Uint8Array(32),
      merkleProof: Array(20).fill(new Uint8Array(32)),
      isLast: true,
      isRetransmit: true,
    });
    expect(jsonBytes(toJsonString(DataChunkSchema, chunk))).toBeLessThanOrEqual(
      caps.capFor(DataTransferService.method.streamData),
    );
  });

  it("fits the largest NodeService.Register (a registry RPC: the control cap), in JSON", () => {
    const key = new Uint8Array(32).fill(0xff);
    const register = create(RegisterRequestSchema, {
      signingPublicKey: key,
      agreementPublicKey: key,
      // The longest label and region (128 and 64 characters), each an astral character that JSON may escape.
      capacity: {
        cores: 4096,
        memoryBytes: 2n ** 53n,
        backend: "webgpu",
        region: "\u{1F9EA}".repeat(64),
        storageBytes: 2n ** 53n,
      },
      kind: NodeKind.BROWSER,
      label: "\u{1F9EA}".repeat(128),
      nonce: key,
      signature: new Uint8Array(64).fill(0xff),
    });
    const escaped = toJsonString(RegisterRequestSchema, register).replace(
      /\p{Extended_Pictographic}/gu,
      "\\ud83e\\uddea",
    );
    for (const m of [NodeService.method.register, NodeService.method.heartbeat, NodeService.method.listNodes])
      expect(caps.capFor(m)).toBe(CONTROL_BODY_BYTES);
    expect(jsonBytes(escaped)).toBeLessThanOrEqual(caps.capFor(NodeService.method.register));
  });
});
