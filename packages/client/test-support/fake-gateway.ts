/**
 * An in-process stand-in for the gateway, for tests of the client and the CLI (Node only): just
 * enough of docs/upload-protocol.md to upload, commit, list and download, built on the protocol
 * package's own receiver in streaming mode, with a log of every frame it sees and faults a test
 * can switch on (a refused frame, a dropped socket, a damaged stored chunk, a slow disk).
 *
 * It is not the gateway: no database, no users beyond one token (and the API tokens made with
 * CreateApiToken, refused once revoked), everything in memory.
 */
import { createServer, type IncomingMessage, type RequestListener, type Server } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import type { AddressInfo } from "node:net";
import { create, toBinary } from "@bufbuild/protobuf";
import { timestampFromDate, timestampNow } from "@bufbuild/protobuf/wkt";
import { Code, ConnectError, type ConnectRouter, cors, type Interceptor } from "@connectrpc/connect";
import { connectNodeAdapter } from "@connectrpc/connect-node";
import {
  type ChunkLayout,
  type ChunkReceiver,
  checkCommit,
  createChunkReceiver,
  transferChunkLayout,
} from "@cyxwiz/protocol/chunk";
import { generateX25519KeyPair, unwrapDatasetKey } from "@cyxwiz/protocol/crypto";
import {
  bearerFromSubprotocols,
  FRAMES_PATH_TEMPLATE,
  FRAMES_SUBPROTOCOL,
  framesClose,
  transferIdOfFramesPath,
} from "@cyxwiz/protocol/frames-endpoint";
import {
  AckStatus,
  type ApiToken,
  ApiTokenSchema,
  AuthService,
  DataChunkSchema,
  DataClassification,
  type DatasetManifest,
  DatasetService,
  DatasetStatus,
  type DatasetVersion,
  DatasetVersionSchema,
  DataTransferService,
  FrameStreamMessageSchema,
  TransferState,
  TransferStatusSchema,
} from "@cyxwiz/protocol/gen";
import { MerkleTree } from "@cyxwiz/protocol/merkle";
import { loadPrimitives } from "@cyxwiz/protocol/primitives";
import {
  classificationFromProto,
  codecFromName,
  isDataPolicyError,
  overridesFromProto,
  policyFor,
  policyToProto,
  policyViolations,
} from "@cyxwiz/protocol/vocab";
import { type WebSocket, WebSocketServer } from "ws";

/** The one token the fake accepts (a JWT's shape: three dot-separated segments). */
export const FAKE_TOKEN = "fake.test-token.signature";

/** One frame as the fake received it. */
export interface FrameLogEntry {
  readonly transferId: string;
  /** 1-based number of the socket it came on (across all transfers). */
  readonly connection: number;
  readonly index: number;
  readonly flags: number;
  /** Unacknowledged frames on its socket when it arrived, itself included. */
  readonly inFlight: number;
  /** What the receiver made of it ("ok", "duplicate", a refusal's AckStatus name, "buffered"), or "dropped" when the socket was cut first. */
  outcome: string;
}

/** How the fake behaves for a whole test. */
export interface FakeGatewayOptions {
  /** GetGatewayInfo.window (default 4). */
  readonly window?: number;
  /** Milliseconds each frame waits before it is processed: a slow disk, so a client fills its window. */
  readonly frameDelayMs?: number;
  readonly maxPayloadBytes?: number;
  /** Serve https:// and wss:// with this certificate and key (TLS 1.3 only, as the gateway), e.g. TEST_TLS_A. */
  readonly tls?: { readonly cert: string; readonly key: string };
}

export { TEST_TLS_A, TEST_TLS_B } from "./tls-fixtures.js";

/** Faults a test switches on; each fires once. */
export interface FakeGatewayFaults {
  /** Chunk indexes whose next frame is damaged on arrival (one payload byte flipped): the receiver answers ACK_FCS_ERROR. */
  readonly refuseOnce: Set<number>;
  /** Cut the socket (no close handshake) right after this many chunks of a transfer are durable, before their ack is sent. */
  dropAfterDurable: number | undefined;
}

interface FakeTransfer {
  readonly id: string;
  readonly name: string;
  readonly type: string;
  readonly classification: DataClassification;
  readonly numChunks: number;
  readonly chunkSize: number;
  readonly totalSize: bigint;
  readonly layout: ChunkLayout;
  readonly encrypted: boolean;
  readonly compression: string;
  state: TransferState;
  readonly receiver: ChunkReceiver;
  readonly stored: Map<number, { digest: Uint8Array; bytes: Uint8Array }>;
  readonly sockets: Set<WebSocket>;
}

interface FakeVersion {
  readonly version: DatasetVersion;
  readonly manifest: DatasetManifest;
  escrowedKey?: Uint8Array;
}

/** A running fake, with what it saw and the faults to switch on. */
export interface FakeGateway {
  /** "http://127.0.0.1:<port>", or https:// with the `tls` option. */
  readonly url: string;
  readonly token: string;
  readonly faults: FakeGatewayFaults;
  /** Every frame received, in arrival order. */
  readonly frames: FrameLogEntry[];
  /** Every RPC called, as "Service.Method", in order. */
  readonly calls: string[];
  /** Frames sockets opened so far. */
  readonly connections: number;
  /** The most unacknowledged frames ever seen on one socket. */
  readonly maxInFlight: number;
  /** Sockets closed for exceeding the window. */
  readonly windowViolations: number;
  readonly transfers: ReadonlyMap<string, FakeTransfer>;
  /** Committed versions, oldest first. */
  readonly versions: readonly FakeVersion[];
  /** The DEK escrowed with a version, unwrapped with the fake's escrow secret. */
  escrowedKeyOf(ref: string): Uint8Array | undefined;
  /** Flips one byte of a committed version's stored chunk (the disk rotted). */
  damageStoredChunk(ref: string, index: number): void;
  close(): Promise<void>;
}

/**
 * Starts the fake on 127.0.0.1, on `port` (default: any free port).
 *
 * @example
 * const gw = await startFakeGateway({ window: 3 });
 * const clients = connectGateway({ baseUrl: gw.url, token: gw.token });
 */
export async function startFakeGateway(
  options: FakeGatewayOptions & { readonly port?: number } = {},
): Promise<FakeGateway> {
  const primitives = await loadPrimitives();
  const window = options.window ?? 4;
  const maxPayloadBytes = options.maxPayloadBytes ?? 16 * 1024 * 1024;
  const escrow = generateX25519KeyPair();
  const transfers = new Map<string, FakeTransfer>();
  const versions: FakeVersion[] = [];
  const frames: FrameLogEntry[] = [];
  const calls: string[] = [];
  const faults: FakeGatewayFaults = { refuseOnce: new Set(), dropAfterDurable: undefined };
  let connections = 0;
  let maxInFlight = 0;
  let windowViolations = 0;
  let nextId = 1;

  /** API tokens made with AuthService.CreateApiToken: accepted like FAKE_TOKEN until revoked. */
  const apiTokens = new Map<string, { record: ApiToken; token: string }>();
  const accepted = (token: string | undefined) =>
    token === FAKE_TOKEN || [...apiTokens.values()].some((t) => t.token === token && t.record.revokedAt === undefined);
  const auth: Interceptor = (next) => async (req) => {
    calls.push(`${req.service.name}.${req.method.name}`);
    if (!accepted(/^Bearer (.+)$/.exec(req.header.get("Authorization") ?? "")?.[1]))
      throw new ConnectError("missing or invalid bearer token", Code.Unauthenticated);
    return next(req);
  };
  const transferOf = (id: string) => {
    const t = transfers.get(id);
    if (t === undefined) throw new ConnectError(`no transfer ${id}`, Code.NotFound);
    return t;
  };
  const versionOf = (ref: string) => {
    const m = /^([^@]+)(?:@v(\d+))?$/.exec(ref);
    if (m === null) throw new ConnectError(`${JSON.stringify(ref)} is not a dataset reference`, Code.InvalidArgument);
    const of = versions.filter((v) => v.version.name === m[1]);
    const found = m[2] === undefined ? of.at(-1) : of.find((v) => v.version.version === Number(m[2]));
    if (found === undefined) throw new ConnectError(`no dataset ${ref}`, Code.NotFound);
    return found;
  };
  const statusOf = (t: FakeTransfer) =>
    create(TransferStatusSchema, {
      transferId: t.id,
      state: t.state,
      chunksReceived: t.receiver.chunksDurable,
      chunksTotal: t.numChunks,
      bytesTransferred: BigInt(t.receiver.bytesDurable),
      bytesTotal: t.totalSize,
      missingChunks: t.receiver.missingChunks(),
    });

  const routes = (router: ConnectRouter) => {
    /** A committed chunk as RequestChunk and GetPreview serve it, with its Merkle proof. */
    const storedChunk = (t: FakeTransfer, v: FakeVersion, index: number) => {
      const chunk = t.stored.get(index);
      if (chunk === undefined) throw new ConnectError(`no chunk ${index}`, Code.InvalidArgument);
      return create(DataChunkSchema, {
        transferId: t.id,
        chunkIndex: index,
        sequence: BigInt(index),
        payload: chunk.bytes,
        fcs: primitives.crc32(chunk.bytes),
        checksum: chunk.digest,
        merkleProof: [...MerkleTree.fromDigests(v.manifest.chunkDigests).proof(index).path],
        isLast: index === t.numChunks - 1,
      });
    };
    router.service(DatasetService, {
      getGatewayInfo: () => ({
        escrowPublicKey: escrow.publicKey,
        maxPayloadBytes,
        window,
        framesPath: FRAMES_PATH_TEMPLATE,
      }),
      async commitUpload(req) {
        const t = transferOf(req.transferId);
        if (t.state === TransferState.COMPLETED)
          throw new ConnectError(`transfer ${t.id} is already committed`, Code.AlreadyExists);
        if (t.state !== TransferState.IN_PROGRESS)
          throw new ConnectError(`transfer ${t.id} is ${TransferState[t.state]}`, Code.FailedPrecondition);
        const manifest = req.manifest;
        if (manifest === undefined) throw new ConnectError("CommitUpload needs the manifest", Code.InvalidArgument);
        const checked = checkCommit(manifest, {
          layout: t.layout,
          numChunks: t.numChunks,
          encrypted: t.encrypted,
          digests: new Map([...t.stored].map(([i, c]) => [i, c.digest])),
        });
        if (!checked.ok) {
          throw new ConnectError(
            `${checked.error.code}: ${checked.error.message}`,
            checked.error.code === "CYXW_ERR_INCOMPLETE" ? Code.FailedPrecondition : Code.InvalidArgument,
          );
        }
        let escrowedKey: Uint8Array | undefined;
        if (req.escrowedKey !== undefined) {
          if (t.classification >= DataClassification.CONFIDENTIAL)
            throw new ConnectError("Confidential data cannot be escrowed", Code.InvalidArgument);
          const opened = await unwrapDatasetKey(primitives, req.escrowedKey, escrow.secretKey);
          if (!opened.ok) throw new ConnectError(`escrowed_key: ${opened.error.message}`, Code.InvalidArgument);
          escrowedKey = opened.value;
        }
        const meta = manifest.metadata!;
        const number = versions.filter((v) => v.version.name === t.name).length + 1;
        const version = create(DatasetVersionSchema, {
          ref: `${t.name}@v${number}`,
          name: t.name,
          version: number,
          owner: "tester",
          classification: t.classification,
          status: DatasetStatus.READY,
          totalSize: meta.totalSize,
          storedSize: BigInt(manifest.storedSizes.reduce((a, b) => a + b, 0)),
          numChunks: meta.numChunks,
          chunkSize: meta.chunkSize,
          merkleRoot: meta.merkleRoot,
          codec: manifest.codec,
          encrypted: manifest.cipher !== undefined,
          keyEscrowed: escrowedKey !== undefined,
          transferId: t.id,
          createdAt: timestampNow(),
          policy: policyToProto(policyFor(classificationFromProto(t.classification)?.name ?? "public")),
        });
        versions.push({ version, manifest, ...(escrowedKey === undefined ? {} : { escrowedKey }) });
        t.state = TransferState.COMPLETED;
        return { version };
      },
      listDatasets: () => {
        const newest = new Map<string, DatasetVersion>();
        for (const v of versions) newest.set(v.version.name, v.version);
        return { datasets: [...newest.values()] };
      },
      getDataset: (req) => {
        const v = versionOf(req.ref);
        return { version: v.version, manifest: v.manifest };
      },
      getPreview: (req) => {
        const v = versionOf(req.ref);
        const t = transferOf(v.version.transferId);
        return { version: v.version, manifest: v.manifest, firstChunk: storedChunk(t, v, 0) };
      },
      // The policy RPCs with the gateway's rules (policyFor, policyViolations from the vocab); no expiry sweeps.
      getDatasetPolicy: (req) => {
        const v = versionOf(req.ref);
        return { ref: v.version.ref, policy: v.version.policy };
      },
      setDatasetPolicy: (req) => {
        const v = versionOf(req.ref);
        const level = classificationFromProto(req.classification);
        if (level === undefined)
          throw new ConnectError(
            `CYXW_ERR_POLICY: classification: unknown value ${req.classification}`,
            Code.InvalidArgument,
          );
        let policy: ReturnType<typeof policyFor>;
        try {
          policy = policyFor(level.name, overridesFromProto(req.overrides));
        } catch (e) {
          if (isDataPolicyError(e)) throw new ConnectError(e.message, Code.InvalidArgument);
          throw e;
        }
        const broken = policyViolations(policy, { encrypted: v.version.encrypted, keyEscrowed: v.version.keyEscrowed });
        if (broken.length > 0)
          throw new ConnectError(
            `CYXW_ERR_POLICY_VIOLATION: ${v.version.ref}: ${broken.map((b) => b.message).join("; ")}`,
            Code.FailedPrecondition,
          );
        v.version.classification = req.classification;
        v.version.policy = policyToProto(policy);
        return { version: v.version };
      },
      listVersions: (req) => ({
        versions: versions
          .filter((v) => v.version.name === req.name)
          .map((v) => v.version)
          .reverse(),
      }),
    });
    router.service(DataTransferService, {
      async initiateTransfer(req) {
        const meta = req.metadata;
        if (meta === undefined) throw new ConnectError("metadata is required", Code.InvalidArgument);
        const encrypted = req.security?.encryptPayload === true;
        if (!encrypted && meta.classification >= DataClassification.CONFIDENTIAL)
          throw new ConnectError("Confidential data must be encrypted", Code.InvalidArgument);
        const compression = req.options?.compression || "none";
        codecFromName(compression);
        let layout: ChunkLayout;
        try {
          layout = transferChunkLayout({
            chunkSize: meta.chunkSize,
            totalSize: Number(meta.totalSize),
            plainSizes: req.options?.chunkPlainSizes,
          });
        } catch (e) {
          throw new ConnectError((e as Error).message, Code.InvalidArgument);
        }
        if (meta.numChunks !== layout.numChunks)
          throw new ConnectError(`num_chunks ${meta.numChunks} does not match the sizes`, Code.InvalidArgument);
        const id = `tr_fake_${nextId++}`;
        const stored = new Map<number, { digest: Uint8Array; bytes: Uint8Array }>();
        const made = await createChunkReceiver({
          primitives,
          streaming: { layout, encrypted, mayBeCompressed: compression !== "none" },
          transferId: id,
          maxPayloadBytes,
          store: async (c) => {
            stored.set(c.index, { digest: c.digest, bytes: c.stored.slice() });
          },
        });
        if (!made.ok) throw new ConnectError(made.error.message, Code.InvalidArgument);
        transfers.set(id, {
          id,
          name: meta.name,
          type: meta.type,
          classification: meta.classification,
          numChunks: meta.numChunks,
          chunkSize: meta.chunkSize,
          totalSize: meta.totalSize,
          layout,
          encrypted,
          compression,
          state: TransferState.IN_PROGRESS,
          receiver: made.value,
          stored,
          sockets: new Set(),
        });
        return { accepted: true, transferId: id, recipientPublicKey: escrow.publicKey };
      },
      getTransferStatus: (req) => statusOf(transferOf(req.transferId)),
      cancelTransfer(req) {
        const t = transferOf(req.transferId);
        if (t.state === TransferState.COMPLETED) return { success: false, message: "already committed" };
        t.state = TransferState.CANCELLED;
        const { code, reason } = framesClose("CYXW_ERR_TRANSFER", "the transfer was cancelled");
        for (const s of t.sockets) s.close(code, reason);
        return { success: true, message: `transfer ${t.id} cancelled` };
      },
      requestChunk(req) {
        const t = transferOf(req.transferId);
        const v = versions.find((x) => x.version.transferId === t.id);
        if (v === undefined) throw new ConnectError(`transfer ${t.id} is not committed`, Code.FailedPrecondition);
        return storedChunk(t, v, req.chunkIndex);
      },
    });
    router.service(AuthService, {
      whoAmI: () => ({ username: "fake", admin: true }),
      login: () => {
        throw new ConnectError("the fake has no accounts", Code.Unimplemented);
      },
      createUser: () => {
        throw new ConnectError("the fake has no accounts", Code.Unimplemented);
      },
      createApiToken: (req) => {
        const id = `tok_fake_${String(apiTokens.size + 1).padStart(12, "0")}`;
        const now = new Date();
        const expiresAt = timestampFromDate(new Date(now.getTime() + (req.ttlDays || 30) * 86_400_000));
        const record = create(ApiTokenSchema, {
          id,
          owner: "fake",
          label: req.label || "api token",
          createdAt: timestampFromDate(now),
          expiresAt,
        });
        const token = `fake.${id}.signature`;
        apiTokens.set(id, { record, token });
        return { token, id, expiresAt };
      },
      revokeApiToken: (req) => {
        const t = apiTokens.get(req.id);
        if (t === undefined) throw new ConnectError(`no token ${req.id}`, Code.NotFound);
        t.record.revokedAt ??= timestampNow();
        return { token: t.record };
      },
      listApiTokens: () => ({ tokens: [...apiTokens.values()].map((t) => t.record).reverse() }),
    });
  };

  const connect = connectNodeAdapter({ routes, interceptors: [auth] });
  // CORS, so a browser test page served from another origin can call it (Connect's header lists).
  const handler: RequestListener = (req, res) => {
    res.setHeader("Access-Control-Allow-Origin", "*");
    res.setHeader("Access-Control-Expose-Headers", cors.exposedHeaders.join(", "));
    if (req.method === "OPTIONS") {
      res.writeHead(204, {
        "Access-Control-Allow-Methods": cors.allowedMethods.join(", "),
        "Access-Control-Allow-Headers": [...cors.allowedHeaders, "Authorization"].join(", "),
        "Access-Control-Max-Age": "600",
      });
      res.end();
      return;
    }
    connect(req, res);
  };
  // https.Server runs http.Server's machinery over TLS sockets (the same events and methods used here).
  const server: Server =
    options.tls === undefined
      ? createServer(handler)
      : (createHttpsServer({ ...options.tls, minVersion: "TLSv1.3" }, handler) as unknown as Server);
  const wss = new WebSocketServer({
    noServer: true,
    perMessageDeflate: false,
    maxPayload: maxPayloadBytes + 1024,
    handleProtocols: (protocols) => (protocols.has(FRAMES_SUBPROTOCOL) ? FRAMES_SUBPROTOCOL : false),
  });
  server.on("upgrade", (req, socket, head) => {
    const transferId = transferIdOfFramesPath(req.url ?? "");
    if (transferId === undefined) {
      socket.end("HTTP/1.1 404 Not Found\r\nConnection: close\r\n\r\n");
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => onFrames(ws, req, transferId));
  });

  function onFrames(ws: WebSocket, req: IncomingMessage, transferId: string): void {
    const connection = ++connections;
    const offered = (req.headers["sec-websocket-protocol"] ?? "").split(",").map((p) => p.trim());
    const t = transfers.get(transferId);
    const bearer = bearerFromSubprotocols(offered);
    const refusal = !accepted(bearer)
      ? framesClose("CYXW_ERR_AUTH", "missing or invalid bearer token")
      : t === undefined
        ? framesClose("CYXW_ERR_TRANSFER", `no transfer ${transferId}`)
        : t.state !== TransferState.IN_PROGRESS
          ? framesClose("CYXW_ERR_TRANSFER", `the transfer is ${TransferState[t.state]}`)
          : undefined;
    if (refusal !== undefined || t === undefined) {
      ws.close(refusal?.code, refusal?.reason);
      return;
    }
    t.sockets.add(ws);
    let unacked = 0;
    let cut = false;
    let queue: Promise<void> = Promise.resolve();
    ws.on("close", () => t.sockets.delete(ws));
    ws.on("message", (data, isBinary) => {
      if (!isBinary) {
        const { code, reason } = framesClose("CYXW_ERR_FRAME", "text messages are not frames");
        return ws.close(code, reason);
      }
      const bytes = new Uint8Array(Buffer.isBuffer(data) ? data : Buffer.concat(data as Buffer[]));
      unacked++;
      maxInFlight = Math.max(maxInFlight, unacked);
      const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
      const entry: FrameLogEntry = {
        transferId,
        connection,
        index: bytes.length >= 24 ? Number(view.getBigUint64(8)) : -1,
        flags: bytes.length >= 24 ? view.getUint32(20) : 0,
        inFlight: unacked,
        outcome: "pending",
      };
      frames.push(entry);
      if (unacked > window) {
        windowViolations++;
        entry.outcome = "window-exceeded";
        const { code, reason } = framesClose("CYXW_ERR_WINDOW", `more than ${window} unacknowledged frames in flight`);
        return ws.close(code, reason);
      }
      queue = queue.then(async () => {
        if (cut) {
          entry.outcome = "dropped";
          return;
        }
        if ((options.frameDelayMs ?? 0) > 0) await new Promise((r) => setTimeout(r, options.frameDelayMs));
        let input = bytes;
        if (faults.refuseOnce.delete(entry.index) && bytes.length > 60) {
          input = bytes.slice();
          input[24] = input[24]! ^ 0xff; // damage the payload: the FCS no longer matches
        }
        const events = await t.receiver.receiveFrame(input);
        const ackOfThis = events.find((e) => e.kind === "ack" && e.ack.chunkIndex === entry.index);
        entry.outcome =
          ackOfThis?.kind !== "ack"
            ? "buffered"
            : ackOfThis.ack.status === AckStatus.ACK_OK
              ? "ok"
              : ackOfThis.ack.status === AckStatus.ACK_DUPLICATE
                ? "duplicate"
                : AckStatus[ackOfThis.ack.status]!;
        if (faults.dropAfterDurable !== undefined && t.receiver.chunksDurable >= faults.dropAfterDurable) {
          faults.dropAfterDurable = undefined;
          cut = true;
          ws.terminate(); // the chunk is durable, but its ack never leaves
          return;
        }
        for (const e of events) {
          if (e.kind === "ack") {
            unacked--;
            ws.send(
              toBinary(
                FrameStreamMessageSchema,
                create(FrameStreamMessageSchema, { kind: { case: "ack", value: e.ack } }),
              ),
            );
          } else if (e.kind === "complete") {
            ws.send(
              toBinary(
                FrameStreamMessageSchema,
                create(FrameStreamMessageSchema, { kind: { case: "status", value: statusOf(t) } }),
              ),
            );
          }
        }
      });
    });
  }

  await new Promise<void>((resolve) => server.listen(options.port ?? 0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `${options.tls === undefined ? "http" : "https"}://127.0.0.1:${port}`,
    token: FAKE_TOKEN,
    faults,
    frames,
    calls,
    get connections() {
      return connections;
    },
    get maxInFlight() {
      return maxInFlight;
    },
    get windowViolations() {
      return windowViolations;
    },
    transfers,
    versions,
    escrowedKeyOf: (ref) => versionOf(ref).escrowedKey,
    damageStoredChunk(ref, index) {
      const v = versionOf(ref);
      const chunk = transfers.get(v.version.transferId)!.stored.get(index)!;
      chunk.bytes[0] = chunk.bytes[0]! ^ 0x01;
    },
    async close() {
      for (const ws of wss.clients) ws.terminate();
      wss.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
