import { createServer } from "node:net";
import { create } from "@bufbuild/protobuf";
import { type ByteSource, bytesByteSource } from "@cyxwiz/protocol/chunk";
import { createStreamCipher, STREAM_ALGORITHM } from "@cyxwiz/protocol/crypto";
import { FrameFlag } from "@cyxwiz/protocol/frame";
import { CompressionCodec, DataClassification, SampleLayoutSchema } from "@cyxwiz/protocol/gen";
import { loadPrimitives } from "@cyxwiz/protocol/primitives";
import { afterEach, describe, expect, it } from "vitest";
import { type FakeGateway, type FakeGatewayOptions, startFakeGateway } from "../../test-support/fake-gateway.js";
import { createMemoryStateStore } from "../../test-support/memory-state-store.js";
import { testBytes } from "../../test-support/test-bytes.js";
import { isClientError } from "../client-error.js";
import { previewDataset } from "../dataset-preview.js";
import { downloadDataset } from "../download.js";
import { connectGateway, createUploadSession } from "../index.node.js";
import type { RuntimeUploadOptions } from "../runtime-entry.js";
import type { UploadEvent } from "./upload-types.js";

const primitives = await loadPrimitives();
const fast = { initialDelayMs: 5, maxDelayMs: 20 };
let gateways: FakeGateway[] = [];

afterEach(async () => {
  await Promise.all(gateways.map((g) => g.close()));
  gateways = [];
});

async function fake(options: FakeGatewayOptions = {}) {
  const gateway = await startFakeGateway(options);
  gateways.push(gateway);
  return { gateway, clients: connectGateway({ baseUrl: gateway.url, token: gateway.token }) };
}

type Base = Omit<RuntimeUploadOptions, "clients" | "primitives" | "source" | "name">;
function upload(gateway: FakeGateway, data: Uint8Array | ByteSource, options: Base & { name?: string } = {}) {
  const events: UploadEvent[] = [];
  const session = createUploadSession({
    clients: connectGateway({ baseUrl: gateway.url, token: gateway.token }),
    primitives,
    source: data instanceof Uint8Array ? bytesByteSource(data) : data,
    name: "set",
    chunkSize: 4096,
    reconnect: fast,
    onEvent: (e) => events.push(e),
    ...options,
  });
  return { session, events };
}

async function download(gateway: FakeGateway, ref: string, datasetKey?: Uint8Array) {
  const parts: Uint8Array[] = [];
  const order: number[] = [];
  const result = await downloadDataset({
    clients: connectGateway({ baseUrl: gateway.url, token: gateway.token }),
    primitives,
    ref,
    ...(datasetKey === undefined ? {} : { datasetKey }),
    sink: (bytes, index) => {
      parts.push(bytes.slice());
      order.push(index);
    },
  });
  return { bytes: Buffer.concat(parts), order, result };
}

/** How many frames of each chunk the fake received. */
const sendsPerChunk = (g: FakeGateway) => {
  const counts = new Map<number, number>();
  for (const f of g.frames) counts.set(f.index, (counts.get(f.index) ?? 0) + 1);
  return counts;
};

describe("upload then download round trip", () => {
  it("uploads a plain dataset in acked chunks, commits name@v1, and downloads the same bytes", async () => {
    const { gateway } = await fake();
    const data = testBytes(50_000);
    const progress: number[] = [];
    const { session, events } = upload(gateway, data, { onProgress: (p) => progress.push(p.bytesAcked) });
    const result = await session.run();
    expect(result.version.ref).toBe("set@v1");
    expect(result.version.numChunks).toBe(13);
    expect(result.manifest.codec).toBe(CompressionCodec.NONE);
    expect(result.resumed).toBe(false);
    expect(events.map((e) => e.kind)).toEqual(["initiated", "committed"]);
    // Every chunk sent exactly once, with REQUIRES_ACK, LAST_FRAME only on the last.
    expect([...sendsPerChunk(gateway).values()]).toEqual(new Array(13).fill(1));
    for (const f of gateway.frames) {
      expect(f.flags & FrameFlag.REQUIRES_ACK).toBe(FrameFlag.REQUIRES_ACK);
      expect((f.flags & FrameFlag.LAST_FRAME) !== 0).toBe(f.index === 12);
      expect(f.outcome).toBe("ok");
    }
    expect(progress.at(-1)).toBe(50_000);
    expect(progress).toEqual([...progress].sort((a, b) => a - b));
    expect(gateway.calls.slice(0, 3)).toEqual([
      "DatasetService.GetGatewayInfo",
      "DataTransferService.InitiateTransfer",
      "DataTransferService.GetTransferStatus",
    ]);
    expect(gateway.calls.at(-1)).toBe("DatasetService.CommitUpload");

    const got = await download(gateway, "set");
    expect(got.bytes.equals(Buffer.from(data))).toBe(true);
    expect(got.order).toEqual([...Array(13).keys()]);
    expect(got.result.version.ref).toBe("set@v1");

    const second = await upload(gateway, data.subarray(0, 100)).session.run();
    expect(second.version.ref).toBe("set@v2");
    expect((await download(gateway, "set@v1")).bytes.length).toBe(50_000);
  });

  it("uploads encrypted and compressed, and only the right key downloads it", async () => {
    const { gateway } = await fake();
    const data = testBytes(60_000, 7);
    const datasetKey = new Uint8Array(32).fill(42);
    const result = await upload(gateway, data, {
      compression: "zstd",
      encrypt: true,
      datasetKey: datasetKey.slice(),
    }).session.run();
    expect(result.manifest.codec).toBe(CompressionCodec.ZSTD);
    // New uploads use per-chunk keys, so workers can be granted exactly their shard's chunks.
    expect(result.manifest.cipher?.algorithm).toBe("AES-256-GCM-CHUNKKEY-v1");
    expect(result.version.encrypted).toBe(true);
    expect(result.keyEscrowed).toBe(false);
    for (const f of gateway.frames) expect(f.flags & FrameFlag.ENCRYPTED).toBe(FrameFlag.ENCRYPTED);
    expect(gateway.frames.some((f) => (f.flags & FrameFlag.COMPRESSED) !== 0)).toBe(true);
    // The gateway holds ciphertext only.
    const stored = [...gateway.transfers.get(result.transferId)!.stored.values()].map((c) => Buffer.from(c.bytes));
    expect(Buffer.concat(stored).includes(Buffer.from(data.subarray(1024, 1100)))).toBe(false);

    expect((await download(gateway, "set@v1", datasetKey)).bytes.equals(Buffer.from(data))).toBe(true);
    await expect(download(gateway, "set@v1", new Uint8Array(32).fill(1))).rejects.toMatchObject({
      name: "ClientError",
      code: "CYXW_CLIENT_KEY",
    });
    await expect(download(gateway, "set@v1")).rejects.toMatchObject({ code: "CYXW_CLIENT_KEY" });
  });

  it("drops compression when the first chunk does not shrink 1.1x", async () => {
    const { gateway } = await fake();
    const random = crypto.getRandomValues(new Uint8Array(20_000));
    const result = await upload(gateway, random, { compression: "lz4" }).session.run();
    expect(result.manifest.codec).toBe(CompressionCodec.NONE);
    expect((await download(gateway, "set")).bytes.equals(Buffer.from(random))).toBe(true);
  });

  it("uploads an empty file as one empty chunk", async () => {
    const { gateway } = await fake();
    const result = await upload(gateway, new Uint8Array(0)).session.run();
    expect(result.version.numChunks).toBe(1);
    expect((await download(gateway, "set")).bytes.length).toBe(0);
  });
});

describe("flow control", () => {
  it("never has more than the gateway's window unacknowledged, and fills it", async () => {
    const { gateway } = await fake({ window: 3, frameDelayMs: 3 });
    await upload(gateway, testBytes(30 * 1024)).session.run();
    expect(gateway.windowViolations).toBe(0);
    expect(gateway.maxInFlight).toBe(3);
  });

  it("keeps to a smaller window the client asks for", async () => {
    const { gateway } = await fake({ window: 8, frameDelayMs: 3 });
    await upload(gateway, testBytes(30 * 1024), { window: 2 }).session.run();
    expect(gateway.maxInFlight).toBe(2);
  });
});

describe("failures on the way", () => {
  it("reconnects after a dropped socket, asks the status, and never sends a durable chunk again", async () => {
    const { gateway } = await fake({ window: 4, frameDelayMs: 2 });
    gateway.faults.dropAfterDurable = 5; // chunk 4 is stored, its ack never leaves
    const data = testBytes(20 * 4096 + 10);
    const { session, events } = upload(gateway, data);
    const result = await session.run();
    expect(gateway.connections).toBe(2);
    expect(events.some((e) => e.kind === "disconnected" && e.code === 1006)).toBe(true);
    expect(events.some((e) => e.kind === "reconnecting")).toBe(true);
    const statusCalls = gateway.calls.filter((c) => c === "DataTransferService.GetTransferStatus");
    expect(statusCalls.length).toBe(2);
    // The gateway never saw a duplicate: nothing durable was sent again, acked or not.
    expect(gateway.frames.filter((f) => f.outcome === "duplicate")).toEqual([]);
    expect(sendsPerChunk(gateway).get(4)).toBe(1);
    // Frames cut off in flight were resent with RETRANSMIT on the new socket.
    const dropped = gateway.frames.filter((f) => f.outcome === "dropped").map((f) => f.index);
    expect(dropped.length).toBeGreaterThan(0);
    for (const i of dropped) {
      const resent = gateway.frames.find((f) => f.connection === 2 && f.index === i);
      expect(resent, `chunk ${i} resent on the new socket`).toBeDefined();
      expect((resent!.flags & FrameFlag.RETRANSMIT) !== 0, `chunk ${i} resent with RETRANSMIT`).toBe(true);
    }
    expect(result.version.numChunks).toBe(21);
    expect((await download(gateway, "set")).bytes.equals(Buffer.from(data))).toBe(true);
  });

  it("resends a refused frame with RETRANSMIT", async () => {
    const { gateway } = await fake({ window: 4 });
    gateway.faults.refuseOnce.add(2);
    const { session, events } = upload(gateway, testBytes(8 * 4096));
    await session.run();
    const chunk2 = gateway.frames.filter((f) => f.index === 2);
    expect(chunk2.map((f) => f.outcome)).toEqual(["ACK_FCS_ERROR", "ok"]);
    expect(chunk2.map((f) => (f.flags & FrameFlag.RETRANSMIT) !== 0)).toEqual([false, true]);
    expect(events).toContainEqual(
      expect.objectContaining({ kind: "chunk-refused", index: 2, status: "ACK_FCS_ERROR" }),
    );
    expect(gateway.frames.filter((f) => f.index !== 2).every((f) => (f.flags & FrameFlag.RETRANSMIT) === 0)).toBe(true);
    expect(gateway.connections).toBe(1);
  });

  it("gives up on a chunk the gateway keeps refusing", async () => {
    const { gateway } = await fake();
    gateway.faults.refuseOnce.add(1);
    const { session } = upload(gateway, testBytes(4 * 4096), { maxChunkRetries: 0 });
    await expect(session.run()).rejects.toMatchObject({ code: "CYXW_CLIENT_REFUSED", chunkIndex: 1 });
  });
});

describe("chunks of whole samples", () => {
  const plainSizes = [3000, 4096, 100, 2500];
  const total = plainSizes.reduce((a, b) => a + b, 0);
  const layout = (counts: number[]) =>
    create(SampleLayoutSchema, {
      sourceFormat: "csv",
      columns: [{ name: "x", arrowType: "Float64" }],
      numSamples: BigInt(counts.reduce((a, b) => a + b, 0)),
      chunkSampleCounts: counts,
    });

  it("declares each chunk's size, sends chunks of those sizes, commits a format-2 manifest and resumes only the same layout", async () => {
    const { gateway } = await fake({ window: 2 });
    const store = createMemoryStateStore();
    const data = testBytes(total, 11);
    const samples = { plainSizes, layout: layout([30, 41, 1, 25]) };
    // Dies after two chunks: the saved state holds the plain sizes.
    const dying: ByteSource = {
      size: total,
      read: async (offset, length) => {
        if (offset >= 3000 + 4096) throw new Error("simulated crash");
        return data.subarray(offset, offset + length);
      },
    };
    const common = { store, stateKey: "samples", encrypt: true, samples };
    await expect(upload(gateway, dying, common).session.run()).rejects.toThrow("simulated crash");
    expect(JSON.parse(store.saved.get("samples")!).plainSizes).toEqual(plainSizes);
    const result = await upload(gateway, data, common).session.run();
    expect(result.resumed).toBe(true);
    expect(result.manifest.formatVersion).toBe(2);
    expect(result.manifest.plainSizes).toEqual(plainSizes);
    expect(result.manifest.samples?.chunkSampleCounts).toEqual([30, 41, 1, 25]);
    expect(gateway.transfers.get(result.transferId)!.layout.samplePlainSizes).toEqual(plainSizes);
    // Another cut of the same bytes is another dataset: the saved transfer is not continued.
    await expect(upload(gateway, dying, { ...common, stateKey: "s2" }).session.run()).rejects.toThrow();
    const recut = upload(gateway, data, {
      ...common,
      stateKey: "s2",
      samples: { plainSizes: [4000, 2096, 1100, 2500], layout: layout([40, 31, 1, 25]) },
    });
    const second = await recut.session.run();
    expect(second.resumed).toBe(false);
    expect(recut.events[0]).toMatchObject({ kind: "state-discarded" });
  });
});

describe("resume", () => {
  /** A source that fails (the process "dies") once `limit` chunks have been read. */
  function dyingSource(data: Uint8Array, chunkSize: number, limit: number): ByteSource {
    const inner = bytesByteSource(data);
    return {
      size: inner.size,
      async read(offset, length) {
        if (offset / chunkSize >= limit) throw new Error("simulated crash");
        return inner.read(offset, length);
      },
    };
  }

  it("continues in a new session from the saved state, sending only what the gateway lacks", async () => {
    const { gateway } = await fake({ window: 2 });
    const store = createMemoryStateStore();
    const data = testBytes(16 * 4096, 3);
    const common = { store, stateKey: "file-1", compression: "zstd" as const, encrypt: true };
    const first = upload(gateway, dyingSource(data, 4096, 9), common);
    await expect(first.session.run()).rejects.toThrow("simulated crash");
    const transferId = first.session.transferId!;
    const saved = JSON.parse(store.saved.get("file-1")!);
    expect(saved.transferId).toBe(transferId);
    expect(saved.datasetKey).toMatch(/^[A-Za-z0-9+/]{43}=$/);
    const ackedBefore = saved.chunks.filter((c: unknown) => c !== null).length;
    expect(ackedBefore).toBeGreaterThanOrEqual(6);
    const sentBefore = gateway.frames.length;

    const second = upload(gateway, data, common);
    const result = await second.session.run();
    expect(result.resumed).toBe(true);
    expect(result.transferId).toBe(transferId);
    expect(second.events[0]).toMatchObject({ kind: "resumed", transferId });
    expect(gateway.frames.filter((f) => f.outcome === "duplicate")).toEqual([]);
    expect(gateway.frames.length - sentBefore).toBe(
      16 - gateway.frames.slice(0, sentBefore).filter((f) => f.outcome === "ok").length,
    );
    expect([...sendsPerChunk(gateway).values()].every((n) => n === 1)).toBe(true);
    expect(store.saved.size).toBe(0); // forgotten once committed
    const key = Buffer.from(saved.datasetKey, "base64");
    expect((await download(gateway, "set", new Uint8Array(key))).bytes.equals(Buffer.from(data))).toBe(true);
  });

  it("keeps the suite its transfer started with: a STREAM-v1 transfer resumes, commits and downloads as STREAM-v1", async () => {
    const { gateway } = await fake();
    const store = createMemoryStateStore();
    const data = testBytes(6 * 4096 + 100, 8);
    const common = { store, stateKey: "old-suite", encrypt: true };
    const first = upload(gateway, dyingSource(data, 4096, 0), common);
    await expect(first.session.run()).rejects.toThrow("simulated crash");
    // The saved state of a transfer started before CHUNKKEY-v1 became the default: STREAM-v1
    // parameters under the same dataset key (no chunk was sealed yet).
    const saved = JSON.parse(store.saved.get("old-suite")!);
    expect(saved.cipher.algorithm).toBe("AES-256-GCM-CHUNKKEY-v1");
    const key = new Uint8Array(Buffer.from(saved.datasetKey, "base64"));
    const stream = await createStreamCipher(primitives, key);
    if (!stream.ok) throw new Error(stream.error.message);
    const b64 = (bytes: Uint8Array) => Buffer.from(bytes).toString("base64");
    saved.cipher = {
      algorithm: stream.value.parameters.algorithm,
      salt: b64(stream.value.parameters.salt),
      noncePrefix: b64(stream.value.parameters.noncePrefix),
      keyCheck: b64(stream.value.parameters.keyCheck),
    };
    store.saved.set("old-suite", JSON.stringify(saved));

    const result = await upload(gateway, data, common).session.run();
    expect(result.resumed).toBe(true);
    expect(result.manifest.cipher?.algorithm).toBe(STREAM_ALGORITHM);
    expect((await download(gateway, "set", key)).bytes.equals(Buffer.from(data))).toBe(true);
    const preview = await previewDataset({
      clients: connectGateway({ baseUrl: gateway.url, token: gateway.token }),
      primitives,
      ref: "set",
      datasetKey: key,
    });
    expect(preview.firstChunk).toEqual(data.subarray(0, 4096));
  });

  it("counts only this run's frames in the rate, not chunks the gateway already held", async () => {
    const { gateway } = await fake({ window: 2 });
    const store = createMemoryStateStore();
    const data = testBytes(16 * 4096, 5);
    const common = { store, stateKey: "file-r", compression: "none" as const, encrypt: false };
    await expect(upload(gateway, dyingSource(data, 4096, 9), common).session.run()).rejects.toThrow("simulated crash");
    // The last acks before the crash were not saved: the next session learns them from the gateway.
    const saved = JSON.parse(store.saved.get("file-r")!);
    const done = saved.chunks.flatMap((c: unknown, i: number) => (c === null ? [] : [i]));
    for (const i of done.slice(-3)) saved.chunks[i] = null;
    store.saved.set("file-r", JSON.stringify(saved));

    const reports: { chunksAcked: number; bytesPerSecond: number; etaSeconds: number | undefined }[] = [];
    const framesBefore = gateway.frames.length;
    const second = upload(gateway, data, { ...common, onProgress: (p) => reports.push(p) });
    await second.session.run();
    expect(reports[0]!.chunksAcked).toBeGreaterThanOrEqual(done.length);
    // Before this run's first acknowledgement nothing travelled: no rate, no ETA.
    expect(reports[0]).toMatchObject({ bytesPerSecond: 0, etaSeconds: undefined });
    const sentNow = gateway.frames.length - framesBefore;
    expect(sentNow).toBe(16 - reports[0]!.chunksAcked);
    expect(second.session.chunksInFlight).toBe(0);
  });

  it("starts over when the saved upload used other settings, cancelling the old transfer", async () => {
    const { gateway } = await fake();
    const store = createMemoryStateStore();
    const data = testBytes(10 * 4096);
    await expect(upload(gateway, dyingSource(data, 4096, 4), { store, stateKey: "k" }).session.run()).rejects.toThrow(
      "simulated crash",
    );
    const old = [...gateway.transfers.keys()][0]!;
    const again = upload(gateway, data, { store, stateKey: "k", chunkSize: 8192 });
    const result = await again.session.run();
    expect(result.resumed).toBe(false);
    expect(result.transferId).not.toBe(old);
    expect(again.events[0]).toMatchObject({ kind: "state-discarded" });
    expect(gateway.calls).toContain("DataTransferService.CancelTransfer");
  });

  it("discards a damaged saved state", async () => {
    const { gateway } = await fake();
    const store = createMemoryStateStore();
    store.saved.set("k", JSON.stringify({ format: 1, transferId: "x" }));
    const { session, events } = upload(gateway, testBytes(5000), { store, stateKey: "k" });
    expect((await session.run()).resumed).toBe(false);
    expect(events[0]).toMatchObject({ kind: "state-discarded" });
  });
});

describe("escrow", () => {
  it("escrows the key to the gateway for Internal data", async () => {
    const { gateway } = await fake();
    const datasetKey = crypto.getRandomValues(new Uint8Array(32));
    const result = await upload(gateway, testBytes(9000), {
      classification: DataClassification.INTERNAL,
      encrypt: true,
      datasetKey: datasetKey.slice(),
      escrow: true,
    }).session.run();
    expect(result.keyEscrowed).toBe(true);
    expect(gateway.escrowedKeyOf(result.version.ref)).toEqual(datasetKey);
  });

  it("refuses escrow for Confidential data and above before anything is sent", async () => {
    const { gateway } = await fake();
    for (const classification of [
      DataClassification.CONFIDENTIAL,
      DataClassification.RESTRICTED,
      DataClassification.TOP_SECRET,
    ]) {
      let thrown: unknown;
      try {
        upload(gateway, testBytes(100), { classification, encrypt: true, escrow: true });
      } catch (e) {
        thrown = e;
      }
      expect(isClientError(thrown)).toBe(true);
      expect(thrown).toMatchObject({
        code: "CYXW_CLIENT_ESCROW",
        message: expect.stringMatching(/cannot be escrowed/),
      });
    }
    expect(() => upload(gateway, testBytes(100), { escrow: true })).toThrow(/needs an encrypted upload/);
    expect(gateway.calls).toEqual([]);
  });
});

describe("control", () => {
  it("cancel stops the upload, cancels the transfer and forgets the state", async () => {
    const { gateway } = await fake({ window: 2, frameDelayMs: 10 });
    const store = createMemoryStateStore();
    let cancelling: Promise<void> | undefined;
    const { session } = upload(gateway, testBytes(40 * 4096), {
      store,
      stateKey: "k",
      onProgress: (p) => {
        if (p.chunksAcked >= 2) cancelling ??= session.cancel("changed my mind");
      },
    });
    await expect(session.run()).rejects.toMatchObject({ code: "CYXW_CLIENT_CANCELLED" });
    await cancelling;
    expect(gateway.transfers.get(session.transferId!)!.state).toBe(5); // TransferState.CANCELLED
    expect(gateway.calls).toContain("DataTransferService.CancelTransfer");
    expect(gateway.calls).not.toContain("DatasetService.CommitUpload");
    expect(store.saved.size).toBe(0);
    expect(gateway.frames.length).toBeLessThan(40);
  });

  it("pause stops sending new frames until resume", async () => {
    const { gateway } = await fake({ window: 2, frameDelayMs: 2 });
    let paused = false;
    const { session } = upload(gateway, testBytes(12 * 4096), {
      onProgress: (p) => {
        if (p.chunksAcked === 3 && !paused) {
          paused = true;
          session.pause();
        }
      },
    });
    const running = session.run();
    await new Promise((r) => setTimeout(r, 150));
    expect(session.paused).toBe(true);
    const sentWhilePaused = gateway.frames.length;
    expect(sentWhilePaused).toBeLessThanOrEqual(3 + 2);
    await new Promise((r) => setTimeout(r, 100));
    expect(gateway.frames.length).toBe(sentWhilePaused);
    expect(session.chunksInFlight).toBe(0); // every frame sent before the pause is answered
    session.resume();
    expect((await running).version.numChunks).toBe(12);
  });

  it("a pause while a chunk is being prepared holds that chunk back too: nothing goes out once paused", async () => {
    const { gateway } = await fake({ window: 2 });
    const data = testBytes(6 * 4096);
    const inner = bytesByteSource(data);
    let release!: () => void;
    const gate = new Promise<void>((r) => {
      release = r;
    });
    let reading!: () => void;
    const firstRead = new Promise<void>((r) => {
      reading = r;
    });
    const source: ByteSource = {
      size: inner.size,
      async read(offset, length) {
        if (offset === 0) {
          reading();
          await gate; // the first chunk is still being read when the owner presses Pause
        }
        return inner.read(offset, length);
      },
    };
    const { session } = upload(gateway, source);
    const running = session.run();
    await firstRead;
    session.pause();
    release();
    await new Promise((r) => setTimeout(r, 200));
    expect(gateway.frames.length).toBe(0);
    expect(session.chunksInFlight).toBe(0);
    session.resume();
    expect((await running).version.numChunks).toBe(6);
  });
});

describe("errors a person can act on", () => {
  it("a wrong token is CYXW_CLIENT_AUTH", async () => {
    const { gateway } = await fake();
    const session = createUploadSession({
      clients: connectGateway({ baseUrl: gateway.url, token: "not.the.token" }),
      primitives,
      source: bytesByteSource(testBytes(100)),
      name: "x",
    });
    await expect(session.run()).rejects.toMatchObject({
      code: "CYXW_CLIENT_AUTH",
      message: expect.stringMatching(/refused the token/),
    });
  });

  it("a gateway that is not there is CYXW_CLIENT_UNREACHABLE", async () => {
    const port = await new Promise<number>((resolve) => {
      const s = createServer().listen(0, "127.0.0.1", () => {
        const p = (s.address() as { port: number }).port;
        s.close(() => resolve(p));
      });
    });
    const session = createUploadSession({
      clients: connectGateway({ baseUrl: `http://127.0.0.1:${port}`, token: "a.b.c" }),
      primitives,
      source: bytesByteSource(testBytes(100)),
      name: "x",
    });
    await expect(session.run()).rejects.toMatchObject({
      code: "CYXW_CLIENT_UNREACHABLE",
      message: expect.stringMatching(/cannot reach the gateway.*ECONNREFUSED/),
    });
  });

  it("a damaged stored chunk fails the download naming the chunk", async () => {
    const { gateway } = await fake();
    await upload(gateway, testBytes(5 * 4096)).session.run();
    gateway.damageStoredChunk("set@v1", 3);
    const written: number[] = [];
    const failure = await downloadDataset({
      clients: connectGateway({ baseUrl: gateway.url, token: gateway.token }),
      primitives,
      ref: "set@v1",
      sink: (_, i) => {
        written.push(i);
      },
    }).catch((e: unknown) => e);
    expect(failure).toMatchObject({
      code: "CYXW_CLIENT_INTEGRITY",
      chunkIndex: 3,
      message: expect.stringMatching(/chunk 3 of set@v1/),
    });
    expect(written).toEqual([0, 1, 2]);
  });

  it("an unknown dataset is CYXW_CLIENT_NOT_FOUND", async () => {
    const { gateway } = await fake();
    await expect(download(gateway, "nothing@v3")).rejects.toMatchObject({ code: "CYXW_CLIENT_NOT_FOUND" });
  });
});
