import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { readdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";
import { create } from "@bufbuild/protobuf";
import { Code, ConnectError } from "@connectrpc/connect";
import { createChunkReceiver, storedBytes } from "@cyxwiz/protocol/chunk";
import { createChunkCipher, wrapDatasetKey } from "@cyxwiz/protocol/crypto";
import { encodeFrame, FrameFlag } from "@cyxwiz/protocol/frame";
import { AckStatus, DataChunkSchema, DataClassification, TransferState } from "@cyxwiz/protocol/gen";
import { loadPrimitives } from "@cyxwiz/protocol/primitives";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type Clients,
  initiate,
  openFrames,
  packForUpload,
  type RunningGateway,
  startGateway,
} from "../test-support/gateway-harness.js";

let gw: RunningGateway;
let admin: Clients;
let bob: Clients;
let bobToken: string;
const p = await loadPrimitives();

beforeAll(async () => {
  gw = await startGateway();
  admin = gw.clients(gw.adminToken);
  await admin.auth.createUser({ username: "bob", password: "bob-password" });
  bobToken = (await gw.clients("").auth.login({ username: "bob", password: "bob-password" })).token;
  bob = gw.clients(bobToken);
});
afterAll(async () => {
  await gw.stop();
});

const codeOf = async (p: Promise<unknown>) => {
  try {
    await p;
    return "ok";
  } catch (e) {
    return Code[ConnectError.from(e).code];
  }
};
const acks = (s: Awaited<ReturnType<typeof openFrames>>) =>
  s.messages.flatMap((m) => (m.kind.case === "ack" ? [m.kind.value] : []));
const blobCount = async () => {
  let n = 0;
  for (const d of await readdir(join(gw.dataDir, "chunks")).catch(() => []))
    n += (await readdir(join(gw.dataDir, "chunks", d)).catch(() => [])).length;
  return n;
};

describe("upload over the frames WebSocket, commit, versions, download", () => {
  it("uploads, commits name@v1 then name@v2, and serves verified chunks back", async () => {
    const data = randomBytes(300_000);
    const packed = await packForUpload(data, {
      chunkSize: 64 * 1024,
      name: "census",
      encrypt: true,
      classification: DataClassification.INTERNAL,
    });
    const { transferId, recipientPublicKey } = await initiate(admin, packed, true);
    expect(recipientPublicKey).toHaveLength(32);
    const socket = await openFrames(gw.url, transferId, gw.adminToken);
    for (const f of packed.frames) socket.send(f);
    await socket.waitFor(packed.frames.length + 1);
    expect(acks(socket).map((a) => AckStatus[a.status])).toEqual(Array(packed.frames.length).fill("ACK_OK"));
    expect(socket.messages.at(-1)!.kind.case).toBe("status");
    socket.close();

    const status = await admin.transfer.getTransferStatus({ transferId });
    expect(status.missingChunks).toEqual([]);
    expect(status.chunksReceived).toBe(packed.frames.length);

    const escrowed = await wrapDatasetKey(p, packed.key!, recipientPublicKey);
    const { version } = await admin.datasets.commitUpload({
      transferId,
      manifest: packed.manifest,
      escrowedKey: escrowed,
    });
    expect(version).toMatchObject({
      ref: "census@v1",
      version: 1,
      numChunks: 5,
      encrypted: true,
      keyEscrowed: true,
      owner: "admin",
    });
    expect(version!.merkleRoot).toEqual(packed.manifest.metadata!.merkleRoot);

    // the same name again is version 2
    const again = await packForUpload(randomBytes(1000), { chunkSize: 64 * 1024, name: "census" });
    const t2 = await initiate(admin, again);
    const s2 = await openFrames(gw.url, t2.transferId, gw.adminToken);
    s2.send(again.frames[0]!);
    await s2.waitFor(2);
    s2.close();
    const v2 = await admin.datasets.commitUpload({ transferId: t2.transferId, manifest: again.manifest });
    expect(v2.version!.ref).toBe("census@v2");
    expect((await admin.datasets.listVersions({ name: "census" })).versions.map((v) => v.ref)).toEqual([
      "census@v2",
      "census@v1",
    ]);
    expect((await admin.datasets.listDatasets({})).datasets.map((v) => v.ref)).toContain("census@v2");

    // download v1: every chunk verifies against the manifest's root and decrypts to the original
    const got = await admin.datasets.getDataset({ ref: "census@v1" });
    const cipher = await createChunkCipher(p, packed.key!, got.manifest!.cipher);
    if (!cipher.ok) throw new Error(cipher.error.message);
    const plain: Uint8Array[] = [];
    const receiver = await createChunkReceiver({
      primitives: p,
      manifest: got.manifest!,
      transferId,
      cipher: cipher.value,
      store: async (c) => void plain.push(c.plaintext!),
    });
    if (!receiver.ok) throw new Error(receiver.error.message);
    for (let i = 0; i < version!.numChunks; i++) {
      const chunk = await admin.transfer.requestChunk({ transferId, chunkIndex: i });
      const events = await receiver.value.receiveDataChunk(chunk);
      expect(events.some((e) => e.kind === "durable")).toBe(true);
    }
    expect(Buffer.concat(plain).equals(data)).toBe(true);

    // integrity: quick and full are valid; a damaged blob makes the full check name the chunk
    expect((await admin.transfer.verifyIntegrity({ transferId, fullVerification: true })).valid).toBe(true);
    const digestHex = Buffer.from(packed.manifest.chunkDigests[2]!).toString("hex");
    await writeFile(join(gw.dataDir, "chunks", digestHex.slice(0, 2), digestHex), "damaged");
    const broken = await admin.transfer.verifyIntegrity({ transferId, fullVerification: true });
    expect(broken.valid).toBe(false);
    expect(broken.corruptChunks).toEqual([2]);
    expect((await admin.datasets.getDataset({ ref: "census@v1" })).version!.status).toBe(2); // CORRUPT
  });

  it("resumes: after a disconnect GetTransferStatus lists the missing chunks and only those are sent", async () => {
    const packed = await packForUpload(randomBytes(200_000), { chunkSize: 32 * 1024, name: "resumed" });
    const { transferId } = await initiate(admin, packed);
    const first = await openFrames(gw.url, transferId, gw.adminToken);
    for (const f of packed.frames.slice(0, 3)) first.send(f);
    await first.waitFor(3);
    first.close();
    const status = await admin.transfer.getTransferStatus({ transferId });
    expect(status.state).toBe(TransferState.IN_PROGRESS);
    expect(status.missingChunks).toEqual([3, 4, 5, 6]);
    const second = await openFrames(gw.url, transferId, gw.adminToken);
    // an acknowledged chunk sent again is a duplicate, never stored twice
    second.send(packed.frames[0]!);
    for (const i of status.missingChunks) second.send(packed.frames[i]!);
    await second.waitFor(6);
    expect(acks(second).map((a) => AckStatus[a.status])).toEqual([
      "ACK_DUPLICATE",
      "ACK_OK",
      "ACK_OK",
      "ACK_OK",
      "ACK_OK",
    ]);
    second.close();
    expect((await admin.datasets.commitUpload({ transferId, manifest: packed.manifest })).version!.ref).toBe(
      "resumed@v1",
    );
  });

  it("refuses a flipped bit with the right AckStatus, accepts the retransmission, and stores the right data", async () => {
    const packed = await packForUpload(randomBytes(100_000), { chunkSize: 50_000, name: "flipped" });
    const { transferId } = await initiate(admin, packed);
    const s = await openFrames(gw.url, transferId, gw.adminToken);
    const bad = packed.frames[0]!.slice();
    bad[1000]! ^= 0x08;
    s.send(bad);
    await s.waitFor(1);
    expect(AckStatus[acks(s)[0]!.status]).toBe("ACK_FCS_ERROR");
    expect(acks(s)[0]!.errorMessage).toMatch(/^CYXW_ERR_FCS/);
    const retransmit = await encodeFrame(p, {
      sequence: 0,
      flags: FrameFlag.REQUIRES_ACK | FrameFlag.RETRANSMIT,
      payload: storedBytes(packed.chunks[0]!),
      checksum: packed.chunks[0]!.digest,
    });
    s.send(retransmit);
    s.send(packed.frames[1]!);
    await s.waitFor(4);
    expect(acks(s).map((a) => AckStatus[a.status])).toEqual(["ACK_FCS_ERROR", "ACK_OK", "ACK_OK"]);
    s.close();
    await admin.datasets.commitUpload({ transferId, manifest: packed.manifest });
    expect((await admin.transfer.verifyIntegrity({ transferId, fullVerification: true })).valid).toBe(true);
  });

  it("commit checks the manifest against what was stored", async () => {
    const packed = await packForUpload(randomBytes(70_000), { chunkSize: 30_000, name: "checked" });
    const other = await packForUpload(randomBytes(70_000), { chunkSize: 30_000, name: "checked" });
    const { transferId } = await initiate(admin, packed, true);
    const s = await openFrames(gw.url, transferId, gw.adminToken);
    s.send(packed.frames[0]!);
    s.send(packed.frames[1]!);
    await s.waitFor(2);
    expect(await codeOf(admin.datasets.commitUpload({ transferId, manifest: packed.manifest }))).toBe(
      "FailedPrecondition",
    ); // chunk 2 missing
    s.send(packed.frames[2]!);
    await s.waitFor(4);
    s.close();
    expect(await codeOf(admin.datasets.commitUpload({ transferId, manifest: other.manifest }))).toBe("InvalidArgument");
    expect(await codeOf(admin.datasets.commitUpload({ transferId, manifest: packed.manifest }))).toBe("ok");
    expect(await codeOf(admin.datasets.commitUpload({ transferId, manifest: packed.manifest }))).not.toBe("ok");
  });
});

describe("permissions and bad input", () => {
  it("someone else's transfer is answered exactly as a missing one, on every RPC and on the socket", async () => {
    const packed = await packForUpload(randomBytes(5000), { chunkSize: 4096, name: "private" });
    const { transferId } = await initiate(admin, packed);
    const missingId = "tr_AAAAAAAAAAAAAAAAAAAAAAAA"; // the shape of a real id
    /** What bob hears for an id, with the id itself replaced, so two answers can be compared. */
    const answers = async (id: string) => {
      const said = async (p: Promise<unknown>) => {
        const e = await p.then(() => undefined, ConnectError.from);
        return e === undefined ? "ok" : `${Code[e.code]}: ${e.rawMessage.replaceAll(id, "<id>")}`;
      };
      async function* oneChunk() {
        yield create(DataChunkSchema, { transferId: id, chunkIndex: 0, payload: new Uint8Array(10) });
      }
      const socket = await (await openFrames(gw.url, id, bobToken)).closed;
      return {
        status: await said(bob.transfer.getTransferStatus({ transferId: id })),
        cancel: await said(bob.transfer.cancelTransfer({ transferId: id })),
        chunk: await said(bob.transfer.requestChunk({ transferId: id, chunkIndex: 0 })),
        verify: await said(bob.transfer.verifyIntegrity({ transferId: id })),
        commit: await said(bob.datasets.commitUpload({ transferId: id, manifest: packed.manifest })),
        stream: await said(
          (async () => {
            for await (const _ of gw.clients(bobToken, "grpc").transfer.streamData(oneChunk())); // bidi: HTTP/2
          })(),
        ),
        socket: `${socket.code} ${socket.reason.replaceAll(id, "<id>")}`,
      };
    };
    const foreign = await answers(transferId);
    expect(foreign).toEqual(await answers(missingId));
    expect(foreign).toEqual({
      status: "NotFound: no transfer <id>",
      cancel: "NotFound: no transfer <id>",
      chunk: "NotFound: no transfer <id>",
      verify: "NotFound: no transfer <id>",
      commit: "NotFound: no transfer <id>",
      stream: "NotFound: no transfer <id>",
      socket: "1008 CYXW_ERR_TRANSFER: no transfer <id>",
    });
    // the owner's transfer is untouched by all this
    expect((await admin.transfer.getTransferStatus({ transferId })).chunksReceived).toBe(0);
    // a dataset ref naming another owner is answered as a missing one, before any lookup: the same
    // whether it exists or not, on every dataset RPC
    for (const ref of ["admin/census@v1", "admin/no-such-dataset@v1"]) {
      expect(await codeOf(bob.datasets.getDataset({ ref }))).toBe("NotFound");
      expect(await codeOf(bob.datasets.getPreview({ ref }))).toBe("NotFound");
      expect(await codeOf(bob.datasets.deleteDataset({ ref }))).toBe("NotFound");
    }
    expect(await codeOf(bob.datasets.getDataset({ ref: "census@v1" }))).toBe("NotFound"); // bob has none of that name
  });

  it("bad frames and sockets get clear errors, the gateway stays up, and nothing is stored", async () => {
    const before = await blobCount();
    const packed = await packForUpload(randomBytes(20_000), { chunkSize: 10_000, name: "hostile" });
    const { transferId } = await initiate(admin, packed);
    const s = await openFrames(gw.url, transferId, gw.adminToken);
    s.send(new Uint8Array([1, 2, 3])); // malformed
    const wrongMagic = packed.frames[0]!.slice();
    wrongMagic[0] = 0;
    s.send(wrongMagic);
    const past = await encodeFrame(p, { sequence: 7, flags: FrameFlag.REQUIRES_ACK, payload: new Uint8Array(10) }); // beyond the last chunk
    s.send(past);
    await s.waitFor(3);
    expect(acks(s).map((a) => AckStatus[a.status])).toEqual(["ACK_FCS_ERROR", "ACK_FCS_ERROR", "ACK_OUT_OF_ORDER"]);
    expect(acks(s)[0]!.errorMessage).toMatch(/CYXW_ERR_TRUNCATED/);
    expect(acks(s)[1]!.errorMessage).toMatch(/CYXW_ERR_MAGIC/);
    s.send("hello");
    expect((await s.closed).code).toBe(1003);
    expect(await blobCount()).toBe(before);

    const big = await openFrames(gw.url, transferId, gw.adminToken);
    big.send(new Uint8Array(17 * 1024 * 1024 + 2000)); // over the payload bound
    expect((await big.closed).code).toBe(1009);
    for (const [token, id, reason] of [
      [undefined, transferId, /sign in first/],
      ["forged.token.here", transferId, /not valid/],
      [gw.adminToken, "tr_doesnotexist", /no transfer/],
    ] as const) {
      const refused = await openFrames(gw.url, id, token);
      const c = await refused.closed;
      expect(c.code).toBe(1008);
      expect(c.reason).toMatch(reason);
    }
    expect((await gw.gateway.app.inject({ method: "GET", url: "/healthz" })).statusCode).toBe(200);
    expect(await blobCount()).toBe(before);
    expect((await admin.transfer.getTransferStatus({ transferId })).chunksReceived).toBe(0);
  });

  it("InitiateTransfer refuses inconsistent metadata and unencrypted confidential data", async () => {
    const base = { name: "x", totalSize: 1000n, numChunks: 1, chunkSize: 4096 };
    const bad = [
      { metadata: { ...base, numChunks: 2 } },
      { metadata: { ...base, chunkSize: 0 } },
      { metadata: { ...base, name: "../../etc/passwd" } },
      { metadata: { ...base, classification: DataClassification.CONFIDENTIAL } },
      { metadata: base, options: { compression: "gzip" } },
      {},
    ];
    for (const req of bad)
      expect(
        await codeOf(admin.transfer.initiateTransfer(req)),
        JSON.stringify(req, (_k, v) => (typeof v === "bigint" ? String(v) : v)),
      ).toBe("InvalidArgument");
  });

  it("InitiateTransfer refuses names that pass for others, naming the character, and records nothing", async () => {
    const audit = gw.gateway.deps.store.audit;
    const initiatedBefore = (await audit.list({ limit: 1000 })).filter((e) => e.action === "transfer.initiate").length;
    const datasetsBefore = (await admin.datasets.listDatasets({})).datasets.length;
    const base = { totalSize: 1000n, numChunks: 1, chunkSize: 4096 };
    for (const [name, expected] of [
      ["report\u202Efdp.exe", "name must not contain U+202E RIGHT-TO-LEFT OVERRIDE"],
      ["ad\u200Dmin-census", "name must not contain U+200D ZERO WIDTH JOINER"],
      ["etc\uFF0Fpasswd", "name must not contain U+FF0F FULLWIDTH SOLIDUS"],
      ["a\u2215b", "name must not contain U+2215 DIVISION SLASH"],
      ["%2e%2e%2fx", 'name must not contain "%2e%2e" (a percent-encoded path separator'],
      ["x\u2066y", "name must not contain U+2066 LEFT-TO-RIGHT ISOLATE"],
    ] as const) {
      const e = await admin.transfer
        .initiateTransfer({ metadata: { ...base, name } })
        .then(() => undefined, ConnectError.from);
      expect(e?.code, name).toBe(Code.InvalidArgument);
      expect(e?.rawMessage.startsWith(expected), e?.rawMessage).toBe(true);
    }
    const initiatedAfter = (await audit.list({ limit: 1000 })).filter((e) => e.action === "transfer.initiate").length;
    expect(initiatedAfter).toBe(initiatedBefore);
    expect((await admin.datasets.listDatasets({})).datasets.length).toBe(datasetsBefore);
  });

  it("a name is stored in NFC: two spellings that differ only in normalization are one dataset", async () => {
    const upload = async (name: string) => {
      const packed = await packForUpload(randomBytes(1000), { chunkSize: 4096, name });
      const { transferId } = await initiate(admin, packed);
      const s = await openFrames(gw.url, transferId, gw.adminToken);
      s.send(packed.frames[0]!);
      await s.waitFor(2);
      s.close();
      return (await admin.datasets.commitUpload({ transferId, manifest: packed.manifest })).version!;
    };
    const decomposed = "re\u0301sume\u0301.csv";
    const composed = "r\u00e9sum\u00e9.csv";
    expect(await upload(decomposed)).toMatchObject({ name: composed, ref: `${composed}@v1` });
    expect(await upload(composed)).toMatchObject({ name: composed, ref: `${composed}@v2` });
    expect((await admin.datasets.listVersions({ name: decomposed })).versions.map((v) => v.ref)).toEqual([
      `${composed}@v2`,
      `${composed}@v1`,
    ]);
    expect((await admin.datasets.getDataset({ ref: `${decomposed}@v1` })).version!.name).toBe(composed);
  });

  it("escrow is refused for confidential data", async () => {
    const packed = await packForUpload(randomBytes(3000), {
      chunkSize: 4096,
      name: "secret",
      encrypt: true,
      classification: DataClassification.CONFIDENTIAL,
    });
    const { transferId, recipientPublicKey } = await initiate(admin, packed);
    const s = await openFrames(gw.url, transferId, gw.adminToken);
    s.send(packed.frames[0]!);
    await s.waitFor(2);
    s.close();
    const escrowed = await wrapDatasetKey(p, packed.key!, recipientPublicKey);
    expect(
      await codeOf(admin.datasets.commitUpload({ transferId, manifest: packed.manifest, escrowedKey: escrowed })),
    ).toBe("InvalidArgument");
    expect((await admin.datasets.commitUpload({ transferId, manifest: packed.manifest })).version!.keyEscrowed).toBe(
      false,
    );
  });
});

describe("the other transports", () => {
  it("StreamData over gRPC (HTTP/2) feeds the same receiver", async () => {
    const grpc = gw.clients(gw.adminToken, "grpc");
    const packed = await packForUpload(randomBytes(50_000), { chunkSize: 20_000, name: "via-grpc" });
    const { transferId } = await initiate(grpc, packed);
    async function* chunks() {
      for (const c of packed.chunks) {
        yield create(DataChunkSchema, {
          transferId,
          chunkIndex: c.index,
          sequence: BigInt(c.index),
          payload: storedBytes(c),
          fcs: p.crc32(storedBytes(c)),
          checksum: c.digest,
          isLast: c.last,
        });
      }
    }
    const statuses: string[] = [];
    for await (const ack of grpc.transfer.streamData(chunks())) statuses.push(AckStatus[ack.status]);
    expect(statuses).toEqual(["ACK_OK", "ACK_OK", "ACK_OK"]);
    expect((await grpc.datasets.commitUpload({ transferId, manifest: packed.manifest })).version!.ref).toBe(
      "via-grpc@v1",
    );
  });

  it("StreamData refuses bad chunks, unknown and foreign transfers, and replays, and stores nothing wrong", async () => {
    const grpc = gw.clients(gw.adminToken, "grpc");
    const packed = await packForUpload(randomBytes(30_000), { chunkSize: 10_000, name: "rpc-hostile" });
    const { transferId } = await initiate(grpc, packed);
    const c = (i: number, patch: Record<string, unknown> = {}) =>
      create(DataChunkSchema, {
        transferId,
        chunkIndex: i,
        sequence: BigInt(i),
        payload: storedBytes(packed.chunks[i]!),
        fcs: p.crc32(storedBytes(packed.chunks[i]!)),
        checksum: packed.chunks[i]!.digest,
        isLast: packed.chunks[i]!.last,
        ...patch,
      });
    const statuses: string[] = [];
    async function* hostile() {
      yield c(0, { fcs: 12345 });
      yield c(0, { checksum: new Uint8Array(32) });
      yield c(0);
      yield c(0); // a replay
      yield c(1, { sequence: 7n }); // sequence must equal the chunk index
    }
    for await (const ack of grpc.transfer.streamData(hostile())) statuses.push(AckStatus[ack.status]);
    expect(statuses).toEqual(["ACK_FCS_ERROR", "ACK_CHECKSUM_MISMATCH", "ACK_OK", "ACK_DUPLICATE", "ACK_OUT_OF_ORDER"]);
    expect((await grpc.transfer.getTransferStatus({ transferId })).missingChunks).toEqual([1, 2]);

    async function* unknown() {
      yield c(0, { transferId: "tr_unknown" });
    }
    const drain = async (it: AsyncIterable<unknown>) => {
      for await (const _ of it);
    };
    expect(await codeOf(drain(grpc.transfer.streamData(unknown())))).toBe("NotFound");
    const bobGrpc = gw.clients(bobToken, "grpc");
    async function* foreign() {
      yield c(1);
    }
    expect(await codeOf(drain(bobGrpc.transfer.streamData(foreign())))).toBe("NotFound");
    expect((await grpc.transfer.getTransferStatus({ transferId })).missingChunks).toEqual([1, 2]);
  });

  it("a stock gRPC client (buf curl --protocol grpc) can call the services", async () => {
    const buf = join(import.meta.dirname, "../../../node_modules/.bin/buf");
    const { stdout } = await promisify(execFile)(buf, [
      "curl",
      "--protocol",
      "grpc",
      "--http2-prior-knowledge",
      "--schema",
      join(import.meta.dirname, "../../../proto"),
      "-H",
      `Authorization: Bearer ${gw.adminToken}`,
      "--data",
      '{"ref": "via-grpc@v1"}',
      `${gw.url}/cyxwiz.data.v1.DatasetService/GetDataset`,
    ]);
    const reply = JSON.parse(stdout);
    expect(reply.version.ref).toBe("via-grpc@v1");
    expect(reply.manifest.metadata.numChunks).toBe(3);
  });
});
