import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { create, fromBinary } from "@bufbuild/protobuf";
import { type Client, createClient, type Interceptor } from "@connectrpc/connect";
import { createConnectTransport, createGrpcTransport } from "@connectrpc/connect-node";
import { bytesByteSource, chunkToFrame, createChunker, type PackedChunk } from "@cyxwiz/protocol/chunk";
import { type CodecName, codecName } from "@cyxwiz/protocol/compress";
import { type ChunkCipher, createChunkCipher, generateDatasetKey } from "@cyxwiz/protocol/crypto";
import { FrameFlag } from "@cyxwiz/protocol/frame";
import { framesPath, framesSubprotocols } from "@cyxwiz/protocol/frames-endpoint";
import {
  AuthService,
  DataClassification,
  type DatasetManifest,
  DatasetService,
  DataTransferService,
  FrameStreamMessageSchema,
  type SampleLayout,
  TransferRequestSchema,
} from "@cyxwiz/protocol/gen";
import { loadPrimitives } from "@cyxwiz/protocol/primitives";
import WebSocket from "ws";
import { loadConfig } from "../src/config.js";
import { type BuiltGateway, buildGateway } from "../src/gateway.js";

/** A gateway listening on a free loopback port with a fresh data directory. */
export interface RunningGateway {
  readonly gateway: BuiltGateway;
  readonly url: string;
  readonly dataDir: string;
  readonly adminToken: string;
  clients(token: string, transport?: "connect" | "grpc"): Clients;
  stop(): Promise<void>;
}

export interface Clients {
  readonly transfer: Client<typeof DataTransferService>;
  readonly datasets: Client<typeof DatasetService>;
  readonly auth: Client<typeof AuthService>;
}

export async function startGateway(env: Record<string, string> = {}, dataDir?: string): Promise<RunningGateway> {
  const dir = dataDir ?? (await mkdtemp(join(tmpdir(), "cyxwiz-gw-")));
  // The run's scrypt cost (docs/testing.md "Cheap password hashes"), unless the test sets one.
  const cost = process.env.CYXWIZ_PASSWORD_COST;
  const config = loadConfig({
    PORT: "0",
    CYXWIZ_DATA_DIR: dir,
    LOG_LEVEL: "silent",
    ...(cost === undefined ? {} : { CYXWIZ_PASSWORD_COST: cost }),
    ...env,
  });
  const gateway = await buildGateway(config, { logger: false });
  await gateway.app.listen({ port: 0, host: "127.0.0.1" });
  const address = gateway.app.server.address();
  // https when the config turns TLS on (CYXWIZ_TLS=1, CYXWIZ_TLS_CERT/KEY); clients trust its certificate.
  const scheme = gateway.tls === undefined ? "http" : "https";
  const url = `${scheme}://127.0.0.1:${typeof address === "object" && address !== null ? address.port : 0}`;
  const trust = gateway.tls === undefined ? {} : { nodeOptions: { ca: gateway.tls.cert } };
  const adminToken = (await readFile(join(dir, "admin-token"), "utf8")).trim();
  return {
    gateway,
    url,
    dataDir: dir,
    adminToken,
    clients(token, transport = "connect") {
      const bearer: Interceptor = (next) => (req) => {
        req.header.set("authorization", `Bearer ${token}`);
        return next(req);
      };
      const t =
        transport === "grpc"
          ? createGrpcTransport({ baseUrl: url, interceptors: [bearer], ...trust })
          : createConnectTransport({ baseUrl: url, httpVersion: "1.1", interceptors: [bearer], ...trust });
      return {
        transfer: createClient(DataTransferService, t),
        datasets: createClient(DatasetService, t),
        auth: createClient(AuthService, t),
      };
    },
    async stop() {
      await gateway.app.close();
      if (dataDir === undefined) await rm(dir, { recursive: true, force: true });
    },
  };
}

/** A dataset packed in memory the way a one-pass client does it. */
export interface PackedUpload {
  readonly chunks: PackedChunk[];
  readonly frames: Uint8Array[];
  readonly manifest: DatasetManifest;
  readonly key: Uint8Array | undefined;
}

export async function packForUpload(
  data: Uint8Array,
  options: {
    chunkSize: number;
    name: string;
    encrypt?: boolean;
    classification?: DataClassification;
    /** Compress with this codec (kept only if the first chunk shrinks, as a client does). */
    codec?: CodecName;
    /** Chunks of whole samples: each chunk's plain size, and what the samples are (format_version 2). */
    samples?: { plainSizes: number[]; layout: SampleLayout };
  },
): Promise<PackedUpload> {
  const p = await loadPrimitives();
  let key: Uint8Array | undefined;
  let cipher: ChunkCipher | undefined;
  if (options.encrypt === true) {
    key = generateDatasetKey();
    const made = await createChunkCipher(p, key);
    if (!made.ok) throw new Error(made.error.message);
    cipher = made.value;
  }
  const chunker = createChunker(p, bytesByteSource(data), {
    chunkSize: options.chunkSize,
    ...(cipher === undefined ? {} : { cipher }),
    ...(options.codec === undefined ? {} : { codec: options.codec }),
    ...(options.samples === undefined
      ? {}
      : { plainSizes: options.samples.plainSizes, samples: options.samples.layout }),
    metadata: { name: options.name, classification: options.classification ?? DataClassification.PUBLIC },
  });
  const chunks: PackedChunk[] = [];
  const frames: Uint8Array[] = [];
  for await (const c of chunker.chunks()) {
    chunks.push(c);
    frames.push(await chunkToFrame(p, c, FrameFlag.REQUIRES_ACK));
  }
  return { chunks, frames, manifest: chunker.manifest(), key };
}

/** InitiateTransfer for a packed upload (streaming mode: no root declared unless asked). */
export async function initiate(clients: Clients, packed: PackedUpload, declareRoot = false) {
  const meta = packed.manifest.metadata!;
  return clients.transfer.initiateTransfer(
    create(TransferRequestSchema, {
      metadata: {
        name: meta.name,
        totalSize: meta.totalSize,
        numChunks: meta.numChunks,
        chunkSize: meta.chunkSize,
        classification: meta.classification,
        merkleRoot: declareRoot ? meta.merkleRoot : new Uint8Array(),
      },
      options: {
        compression: codecName(packed.manifest.codec),
        chunkSize: meta.chunkSize,
        // A dataset of samples declares where its chunks are cut.
        chunkPlainSizes: packed.manifest.samples === undefined ? [] : packed.manifest.plainSizes,
      },
      security: { encryptPayload: packed.key !== undefined },
    }),
  );
}

/** A frames WebSocket as a test drives it: send frames, collect decoded messages and the close. */
export interface FramesSocket {
  readonly messages: ReturnType<typeof fromBinary<typeof FrameStreamMessageSchema>>[];
  send(bytes: Uint8Array | string): void;
  /** Resolves once `n` messages arrived (or rejects when the socket closes first). */
  waitFor(n: number): Promise<void>;
  readonly closed: Promise<{ code: number; reason: string }>;
  close(): void;
}

export function openFrames(
  url: string,
  transferId: string,
  token: string | undefined,
  /** For a wss:// URL: the PEM certificate (or CA) to trust. */
  ca?: string,
): Promise<FramesSocket> {
  const protocols = framesSubprotocols(token);
  const ws = new WebSocket(
    `${url.replace(/^http/, "ws")}${framesPath(transferId)}`,
    protocols,
    ca === undefined ? {} : { ca },
  );
  const messages: FramesSocket["messages"] = [];
  let waiters: Array<() => void> = [];
  let closedInfo: { code: number; reason: string } | undefined;
  const wake = () => {
    const now = waiters;
    waiters = [];
    for (const w of now) w();
  };
  const closed = new Promise<{ code: number; reason: string }>((resolve) => {
    ws.on("close", (code, reason) => {
      closedInfo = { code, reason: reason.toString() };
      wake();
      resolve(closedInfo);
    });
  });
  ws.on("message", (data: Buffer) => {
    messages.push(fromBinary(FrameStreamMessageSchema, new Uint8Array(data)));
    wake();
  });
  return new Promise((resolve, reject) => {
    ws.on("error", reject);
    ws.on("open", () =>
      resolve({
        messages,
        send: (b) => ws.send(b),
        waitFor: (n) =>
          new Promise<void>((res, rej) => {
            const check = () => {
              if (messages.length >= n) res();
              else if (closedInfo !== undefined)
                rej(
                  new Error(
                    `socket closed (${closedInfo.code} ${closedInfo.reason}) after ${messages.length} of ${n} messages`,
                  ),
                );
              else waiters.push(check);
            };
            check();
          }),
        closed,
        close: () => ws.close(),
      }),
    );
  });
}
