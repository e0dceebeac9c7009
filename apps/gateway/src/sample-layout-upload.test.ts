import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { create } from "@bufbuild/protobuf";
import { Code, ConnectError } from "@connectrpc/connect";
import { AckStatus, ColumnRole, type SampleLayout, SampleLayoutSchema, TransferState } from "@cyxwiz/protocol/gen";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type Clients,
  initiate,
  openFrames,
  packForUpload,
  type RunningGateway,
  startGateway,
} from "../test-support/gateway-harness.js";

/**
 * Issue 9: a dataset of samples is cut at sample boundaries, so its chunks have sizes of their
 * own (docs/upload-protocol.md §1, docs/dataset-formats.md). The gateway takes the sizes declared
 * at InitiateTransfer, holds every frame to its chunk's size, keeps the layout across a restart,
 * and checks the manifest (format_version 2) against it at commit.
 */

let gw: RunningGateway;
let admin: Clients;

beforeAll(async () => {
  gw = await startGateway();
  admin = gw.clients(gw.adminToken);
});
afterAll(async () => {
  await gw.stop();
});

const codeOf = (p: Promise<unknown>) =>
  p.then(
    () => "ok",
    (e: unknown) => Code[ConnectError.from(e).code],
  );

function layoutOf(counts: number[]): SampleLayout {
  return create(SampleLayoutSchema, {
    sourceFormat: "csv",
    columns: [
      { name: "x", arrowType: "Float64", role: ColumnRole.FEATURE },
      { name: "label", arrowType: "Utf8", role: ColumnRole.LABEL },
    ],
    numSamples: BigInt(counts.reduce((a, b) => a + b, 0)),
    chunkSampleCounts: counts,
    labelColumn: "label",
    labelHistogram: [{ label: "a", count: 3n }],
    split: { trainPermille: 800, validationPermille: 100, testPermille: 100, seed: 7n },
    order: { strategy: "source" },
    originalName: "table.csv",
  });
}

const plainSizes = [5000, 3000, 5999, 1];
const total = plainSizes.reduce((a, b) => a + b, 0);

async function packedSamples(name: string, encrypt = false) {
  return packForUpload(randomBytes(total), {
    chunkSize: 6000,
    name,
    encrypt,
    samples: { plainSizes, layout: layoutOf([50, 30, 60, 1]) },
  });
}

describe("chunks of whole samples", () => {
  it("uploads chunks of their own sizes, resumes after a gateway restart, and commits a format-2 manifest", async () => {
    const dir = await mkdtemp(join(tmpdir(), "cyxwiz-samples-"));
    try {
      let own = await startGateway({}, dir);
      let clients = own.clients(own.adminToken);
      const packed = await packedSamples("samples-resumed", true);
      expect(packed.chunks.map((c) => c.plainSize)).toEqual(plainSizes);
      const { transferId } = await initiate(clients, packed);
      const first = await openFrames(own.url, transferId, own.adminToken);
      first.send(packed.frames[0]!);
      first.send(packed.frames[1]!);
      await first.waitFor(2);
      first.close();
      // The layout lives in the database: a restarted gateway still holds chunk 2 to 5999 bytes.
      await own.stop();
      own = await startGateway({}, dir);
      clients = own.clients(own.adminToken);
      const status = await clients.transfer.getTransferStatus({ transferId });
      expect(status.missingChunks).toEqual([2, 3]);
      const second = await openFrames(own.url, transferId, own.adminToken);
      second.send(packed.frames[2]!);
      second.send(packed.frames[3]!);
      await second.waitFor(2);
      second.close();
      const { version } = await clients.datasets.commitUpload({ transferId, manifest: packed.manifest });
      expect(version!.ref).toBe("samples-resumed@v1");
      const chunk = await clients.transfer.requestChunk({ transferId, chunkIndex: 2 });
      expect(chunk.payload.length).toBe(5999 + 16);
      await own.stop();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 300_000); // two gateway starts

  it("refuses a frame whose size is not its chunk's declared size, naming the sizes, and stores nothing", async () => {
    const packed = await packedSamples("samples-wrong-size");
    // The same bytes cut in fixed chunks of 6000: chunk 0 has 6000 bytes where 5000 were declared.
    const fixed = await packForUpload(new Uint8Array(total), { chunkSize: 6000, name: "fixed" });
    const { transferId } = await initiate(admin, packed);
    const socket = await openFrames(gw.url, transferId, gw.adminToken);
    socket.send(fixed.frames[0]!);
    await socket.waitFor(1);
    const ack = socket.messages[0]!.kind;
    expect(ack.case).toBe("ack");
    expect(ack.case === "ack" && AckStatus[ack.value.status]).toBe("ACK_CHECKSUM_MISMATCH");
    expect(ack.case === "ack" && ack.value.errorMessage).toMatch(
      /CYXW_ERR_CHUNK_SIZE.*chunk 0 has 6000 stored bytes; its declared size allows exactly 5000/,
    );
    socket.close();
    const status = await admin.transfer.getTransferStatus({ transferId });
    expect(status.missingChunks).toEqual([0, 1, 2, 3]);
  });

  it("InitiateTransfer refuses sizes that do not describe the dataset, and records nothing", async () => {
    const before = (await admin.datasets.listDatasets({})).datasets.length;
    const metadata = { name: "bad-layout", totalSize: 10n, numChunks: 2, chunkSize: 6 };
    const bad = [
      { metadata, options: { chunkPlainSizes: [6, 5] } }, // adds up to 11
      { metadata, options: { chunkPlainSizes: [3, 7] } }, // a chunk over chunk_size
      { metadata: { ...metadata, numChunks: 3 }, options: { chunkPlainSizes: [6, 4] } }, // count
      { metadata: { ...metadata, numChunks: 3 }, options: { chunkPlainSizes: [6, 0, 4] } }, // empty chunk
    ];
    for (const req of bad)
      expect(await codeOf(admin.transfer.initiateTransfer(req)), JSON.stringify(req.options)).toBe("InvalidArgument");
    expect((await admin.datasets.listDatasets({})).datasets.length).toBe(before);
    expect(await codeOf(admin.transfer.initiateTransfer({ metadata, options: { chunkPlainSizes: [6, 4] } }))).toBe(
      "ok",
    );
  });

  it("commit refuses a manifest whose layout disagrees with the transfer, then accepts the right one", async () => {
    const packed = await packedSamples("samples-commit");
    const { transferId } = await initiate(admin, packed);
    const socket = await openFrames(gw.url, transferId, gw.adminToken);
    for (const f of packed.frames) socket.send(f);
    await socket.waitFor(packed.frames.length);
    socket.close();
    const noSamples = { ...packed.manifest, formatVersion: 2, samples: undefined };
    const wrongCounts = { ...packed.manifest, samples: layoutOf([50, 30, 60]) };
    const asFile = { ...packed.manifest, formatVersion: 1 };
    for (const manifest of [noSamples, wrongCounts, asFile])
      expect(await codeOf(admin.datasets.commitUpload({ transferId, manifest }))).toBe("InvalidArgument");
    const status = await admin.transfer.getTransferStatus({ transferId });
    expect(status.state).toBe(TransferState.IN_PROGRESS);
    expect(await codeOf(admin.datasets.commitUpload({ transferId, manifest: packed.manifest }))).toBe("ok");
  });
});
