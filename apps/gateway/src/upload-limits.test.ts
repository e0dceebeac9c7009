import { randomBytes } from "node:crypto";
import { readdir } from "node:fs/promises";
import http2 from "node:http2";
import { join } from "node:path";
import { create, toBinary } from "@bufbuild/protobuf";
import { Code, ConnectError } from "@connectrpc/connect";
import { storedBytes } from "@cyxwiz/protocol/chunk";
import { encodeFrame, FrameFlag } from "@cyxwiz/protocol/frame";
import {
  AckStatus,
  type DataChunk,
  DataChunkSchema,
  DataTransferService,
  TransferRequestSchema,
} from "@cyxwiz/protocol/gen";
import { loadPrimitives } from "@cyxwiz/protocol/primitives";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type Clients,
  type FramesSocket,
  initiate,
  openFrames,
  packForUpload,
  type RunningGateway,
  startGateway,
} from "../test-support/gateway-harness.js";
import { ConfigError, loadConfig } from "./config.js";

/**
 * Issue 8, finding 2: what one signed-in user can make the gateway store. Every chunk is held to
 * the size its transfer declared (docs/upload-protocol.md "Chunk sizes") on every transport, and a
 * user's uploads to a quota.
 */

const MiB = 1024 * 1024;
const QUOTA = 16 * MiB;
let gw: RunningGateway;
let admin: Clients;
let adminGrpc: Clients;
const p = await loadPrimitives();

beforeAll(async () => {
  gw = await startGateway({ CYXWIZ_USER_QUOTA_BYTES: String(QUOTA) });
  admin = gw.clients(gw.adminToken);
  adminGrpc = gw.clients(gw.adminToken, "grpc");
});
afterAll(async () => {
  await gw.stop();
});

let users = 0;
async function newUser(): Promise<{ name: string; token: string; clients: Clients }> {
  const name = `user${++users}`;
  await admin.auth.createUser({ username: name, password: `${name}-password` });
  const { token } = await gw.clients("").auth.login({ username: name, password: `${name}-password` });
  return { name, token, clients: gw.clients(token) };
}

/** Chunk files in the blob store. */
async function blobCount(): Promise<number> {
  let n = 0;
  for (const d of await readdir(join(gw.dataDir, "chunks")).catch(() => []))
    n += (await readdir(join(gw.dataDir, "chunks", d)).catch(() => [])).length;
  return n;
}
const recorded = (transferId: string) => gw.gateway.deps.store.transfers.chunks(transferId);
const acks = (s: FramesSocket) => s.messages.flatMap((m) => (m.kind.case === "ack" ? [m.kind.value] : []));
const ackText = (a: { status: AckStatus; errorMessage: string }) => `${AckStatus[a.status]} ${a.errorMessage}`;
const codeOf = async (call: Promise<unknown>) =>
  call.then(
    () => "ok",
    (e: unknown) => Code[ConnectError.from(e).code],
  );

/** InitiateTransfer for a dataset of `totalSize` bytes in chunks of `chunkSize`. */
function initiateSized(
  clients: Clients,
  sizes: { name: string; totalSize: number; chunkSize: number; encrypt?: boolean; compression?: string },
) {
  return clients.transfer.initiateTransfer(
    create(TransferRequestSchema, {
      metadata: {
        name: sizes.name,
        totalSize: BigInt(sizes.totalSize),
        numChunks: Math.max(1, Math.ceil(sizes.totalSize / sizes.chunkSize)),
        chunkSize: sizes.chunkSize,
      },
      options: { compression: sizes.compression ?? "none", chunkSize: sizes.chunkSize },
      security: { encryptPayload: sizes.encrypt === true },
    }),
  );
}

async function dataChunk(transferId: string, index: number, payload: Uint8Array, isLast = false): Promise<DataChunk> {
  return create(DataChunkSchema, {
    transferId,
    chunkIndex: index,
    sequence: BigInt(index),
    payload,
    fcs: p.crc32(payload),
    checksum: await p.sha256(payload),
    isLast,
  });
}

describe("chunk sizes over the frames WebSocket", () => {
  it("refuses a 16 MiB frame as chunk 0 of a transfer of two 1-byte chunks, and writes nothing", async () => {
    const before = await blobCount();
    const { transferId } = await initiateSized(admin, { name: "two-bytes", totalSize: 2, chunkSize: 1 });
    const s = await openFrames(gw.url, transferId, gw.adminToken);
    const huge = new Uint8Array(16 * MiB - 1024).fill(7); // the 16,776,192 bytes
    s.send(await encodeFrame(p, { sequence: 0, flags: FrameFlag.REQUIRES_ACK, payload: huge }));
    await s.waitFor(1);
    expect(ackText(acks(s)[0]!)).toBe(
      "ACK_CHECKSUM_MISMATCH CYXW_ERR_CHUNK_SIZE: chunk 0 has 16776192 stored bytes; its declared size allows exactly 1",
    );
    expect(await blobCount()).toBe(before);
    expect(await recorded(transferId)).toEqual([]);
    expect((await admin.transfer.getTransferStatus({ transferId })).missingChunks).toEqual([0, 1]);
    // The transfer still takes the chunks it declared.
    s.send(await encodeFrame(p, { sequence: 0, flags: FrameFlag.REQUIRES_ACK, payload: new Uint8Array([1]) }));
    s.send(
      await encodeFrame(p, {
        sequence: 1,
        flags: FrameFlag.REQUIRES_ACK | FrameFlag.LAST_FRAME,
        payload: new Uint8Array([2]),
      }),
    );
    await s.waitFor(4);
    expect(acks(s).map((a) => AckStatus[a.status])).toEqual(["ACK_CHECKSUM_MISMATCH", "ACK_OK", "ACK_OK"]);
    expect((await recorded(transferId)).map((c) => c.storedSize)).toEqual([1, 1]);
    s.close();
  });

  it("takes one frame of at most max_payload_bytes per message: a byte more closes the socket with 1009", async () => {
    const { transferId } = await initiateSized(admin, { name: "at-the-cap", totalSize: 2, chunkSize: 1 });
    const max = gw.gateway.deps.config.maxPayloadBytes;
    const atCap = await openFrames(gw.url, transferId, gw.adminToken);
    atCap.send(await encodeFrame(p, { sequence: 0, flags: FrameFlag.REQUIRES_ACK, payload: new Uint8Array(max) }));
    await atCap.waitFor(1); // within the transport's bound: the receiver answers (and refuses the size)
    expect(acks(atCap)[0]!.errorMessage).toMatch(/^CYXW_ERR_CHUNK_SIZE/);
    atCap.close();
    const over = await openFrames(gw.url, transferId, gw.adminToken);
    over.send(await encodeFrame(p, { sequence: 0, flags: FrameFlag.REQUIRES_ACK, payload: new Uint8Array(max + 1) }));
    expect((await over.closed).code).toBe(1009);
    expect(over.messages).toEqual([]);
    expect(await recorded(transferId)).toEqual([]);
  });

  it("refuses an encrypted chunk one byte too long, and still takes a correctly sized encrypted, compressed upload", async () => {
    const compressible = new Uint8Array(3 * 64 * 1024).fill(42);
    const data = Buffer.concat([compressible, randomBytes(100_000)]); // some chunks shrink, the last ones do not
    const packed = await packForUpload(data, {
      chunkSize: 64 * 1024,
      name: "sealed-zstd",
      encrypt: true,
      codec: "zstd",
    });
    expect(packed.chunks.map((c) => c.compressed)).toEqual([true, true, true, false, false]);
    const { transferId } = await initiate(admin, packed);
    const before = await blobCount();
    const s = await openFrames(gw.url, transferId, gw.adminToken);
    const raw = packed.chunks[3]!;
    const longer = new Uint8Array(raw.storedSize + 1);
    longer.set(storedBytes(raw));
    s.send(await encodeFrame(p, { sequence: 3, flags: raw.flags | FrameFlag.REQUIRES_ACK, payload: longer }));
    await s.waitFor(1);
    expect(ackText(acks(s)[0]!)).toBe(
      `ACK_CHECKSUM_MISMATCH CYXW_ERR_CHUNK_SIZE: chunk 3 has ${64 * 1024 + 17} stored bytes; its declared size allows exactly ${64 * 1024 + 16}`,
    );
    expect(await blobCount()).toBe(before);
    for (const f of packed.frames) s.send(f);
    await s.waitFor(1 + packed.frames.length + 1);
    expect(
      acks(s)
        .slice(1)
        .map((a) => AckStatus[a.status]),
    ).toEqual(Array(5).fill("ACK_OK"));
    s.close();
    const { version } = await admin.datasets.commitUpload({ transferId, manifest: packed.manifest });
    expect(version).toMatchObject({ ref: "sealed-zstd@v1", encrypted: true });
    expect((await recorded(transferId)).map((c) => c.storedSize)).toEqual(packed.chunks.map((c) => c.storedSize));
  });
});

describe("chunk sizes over StreamData (gRPC)", () => {
  it("ends the call with RESOURCE_EXHAUSTED for a 40 MiB chunk of a transfer of 1 MiB chunks, writing nothing", async () => {
    const before = await blobCount();
    const { transferId } = await initiateSized(adminGrpc, { name: "forty", totalSize: 2 * MiB, chunkSize: MiB });
    const big = await dataChunk(transferId, 0, new Uint8Array(40 * MiB).fill(3)); // correct CRC and SHA-256
    // A raw HTTP/2 client, to see the gateway's answer itself: connect-node's client, still
    // writing the 40 MiB when the answer comes, reports its own stream error instead.
    const message = toBinary(DataChunkSchema, big);
    const session = http2.connect(gw.url);
    const stream = session.request({
      ":method": "POST",
      ":path": `/${DataTransferService.typeName}/StreamData`,
      "content-type": "application/grpc",
      te: "trailers",
      authorization: `Bearer ${gw.adminToken}`,
    });
    const trailers = new Promise<http2.IncomingHttpHeaders>((resolve) => stream.once("trailers", resolve));
    stream.on("error", () => undefined); // a reset after the answer is expected
    const envelope = Buffer.alloc(5);
    envelope.writeUInt32BE(message.byteLength, 1);
    stream.write(envelope);
    // Sent as a client streams it, a piece at a time as the stream drains.
    let at = 0;
    const pump = () => {
      while (at < message.byteLength) {
        const piece = message.subarray(at, at + MiB);
        at += piece.byteLength;
        if (!stream.write(piece)) return void stream.once("drain", pump);
      }
      stream.end();
    };
    pump();
    const answer = await trailers;
    session.destroy();
    expect(answer["grpc-status"]).toBe(String(Code.ResourceExhausted));
    expect(decodeURIComponent(String(answer["grpc-message"]))).toMatch(/StreamData takes/);
    expect(await blobCount()).toBe(before);
    expect(await recorded(transferId)).toEqual([]);
  });

  it("acks a chunk one byte too long or short with CYXW_ERR_CHUNK_SIZE, stores nothing of it, and takes the right ones", async () => {
    const adminGrpc = gw.clients(gw.adminToken, "grpc"); // a connection of its own
    const before = await blobCount();
    const size = 256 * 1024;
    const { transferId } = await initiateSized(adminGrpc, { name: "by-one", totalSize: 2 * size, chunkSize: size });
    const chunk0 = randomBytes(size);
    const chunk1 = randomBytes(size);
    const plusOne = Buffer.concat([chunk0, Buffer.from([0])]);
    const messages = [
      await dataChunk(transferId, 0, plusOne),
      await dataChunk(transferId, 1, chunk1.subarray(1), true),
    ];
    async function* hostile() {
      yield* messages;
    }
    const first: string[] = [];
    for await (const ack of adminGrpc.transfer.streamData(hostile())) first.push(ackText(ack));
    expect(first).toEqual([
      `ACK_CHECKSUM_MISMATCH CYXW_ERR_CHUNK_SIZE: chunk 0 has ${size + 1} stored bytes; its declared size allows exactly ${size}`,
      `ACK_CHECKSUM_MISMATCH CYXW_ERR_CHUNK_SIZE: chunk 1 has ${size - 1} stored bytes; its declared size allows exactly ${size}`,
    ]);
    expect(await blobCount()).toBe(before);
    expect(await recorded(transferId)).toEqual([]);
    const right = [await dataChunk(transferId, 0, chunk0), await dataChunk(transferId, 1, chunk1, true)];
    async function* honest() {
      yield* right;
    }
    const second: string[] = [];
    for await (const ack of adminGrpc.transfer.streamData(honest())) second.push(AckStatus[ack.status]);
    expect(second).toEqual(["ACK_OK", "ACK_OK"]);
    expect((await recorded(transferId)).map((c) => c.storedSize)).toEqual([size, size]);
  });
});

describe("per-user quota", () => {
  it("is configured by CYXWIZ_USER_QUOTA_BYTES, 100 GiB by default", () => {
    expect(loadConfig({}).userQuotaBytes).toBe(100 * 1024 ** 3);
    expect(loadConfig({ CYXWIZ_USER_QUOTA_BYTES: "1048576" }).userQuotaBytes).toBe(MiB);
    expect(() => loadConfig({ CYXWIZ_USER_QUOTA_BYTES: "lots" })).toThrow(ConfigError);
    expect(() => loadConfig({ CYXWIZ_USER_QUOTA_BYTES: "-1" })).toThrow(/CYXWIZ_USER_QUOTA_BYTES/);
    expect(gw.gateway.deps.config.userQuotaBytes).toBe(QUOTA);
  });

  it("refuses a transfer past the quota with RESOURCE_EXHAUSTED, records nothing, and allows it once another is cancelled", async () => {
    const carol = await newUser();
    const usage = () => gw.gateway.deps.store.transfers.usage(carol.name);
    // a committed version counts with its stored size
    const packed = await packForUpload(randomBytes(1_000_000), { chunkSize: 256 * 1024, name: "kept" });
    const kept = await initiate(carol.clients, packed);
    const s = await openFrames(gw.url, kept.transferId, carol.token);
    for (const f of packed.frames) s.send(f);
    await s.waitFor(packed.frames.length + 1);
    s.close();
    await carol.clients.datasets.commitUpload({ transferId: kept.transferId, manifest: packed.manifest });
    expect((await usage()).committedBytes).toBe(1_000_000);

    // an unfinished transfer counts with what it declared
    const a = await initiateSized(carol.clients, { name: "a", totalSize: 10 * MiB, chunkSize: MiB });
    const refused = carol.clients.transfer.initiateTransfer(
      create(TransferRequestSchema, {
        metadata: { name: "b", totalSize: BigInt(6 * MiB), numChunks: 6, chunkSize: MiB },
      }),
    );
    const error = await refused.then(
      () => undefined,
      (e: unknown) => ConnectError.from(e),
    );
    expect(error?.code).toBe(Code.ResourceExhausted);
    expect(error?.rawMessage).toBe(
      "quota: 11.5 MB of 16.8 MB used; this transfer needs up to 6.29 MB. Cancel an unfinished upload or delete a dataset version to make room",
    );
    expect((await usage()).unfinished.map((t) => t.id)).toEqual([a.transferId]);

    // an encrypted transfer needs its GCM tags too: exactly the room left fits, a byte more does not
    const room = QUOTA - 1_000_000 - 10 * MiB;
    const fits = room - 6 * 16; // six 1 MiB chunks, 16 bytes of tag each
    expect(
      await codeOf(initiateSized(carol.clients, { name: "c", totalSize: fits + 1, chunkSize: MiB, encrypt: true })),
    ).toBe("ResourceExhausted");
    const c = await initiateSized(carol.clients, { name: "c", totalSize: fits, chunkSize: MiB, encrypt: true });
    expect(await codeOf(initiateSized(carol.clients, { name: "d", totalSize: 1, chunkSize: MiB }))).toBe(
      "ResourceExhausted",
    );
    expect((await usage()).unfinished.map((t) => t.id)).toEqual([a.transferId, c.transferId]);
    // another user's quota is their own
    const dave = await newUser();
    expect(await codeOf(initiateSized(dave.clients, { name: "d", totalSize: 6 * MiB, chunkSize: MiB }))).toBe("ok");

    // cancelling frees the transfer's share
    expect((await carol.clients.transfer.cancelTransfer({ transferId: a.transferId })).success).toBe(true);
    const b = await initiateSized(carol.clients, { name: "b", totalSize: 6 * MiB, chunkSize: MiB });
    expect((await usage()).unfinished.map((t) => t.id)).toEqual([c.transferId, b.transferId]);
  });
});
