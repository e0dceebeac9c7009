import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { create, toBinary } from "@bufbuild/protobuf";
import {
  type Client,
  type ContextValues,
  createClient,
  createRouterTransport,
  type Interceptor,
} from "@connectrpc/connect";
import { prepareSamples } from "@cyxwiz/datasets/pack";
import { bytesByteSource, createChunker, storedBytes } from "@cyxwiz/protocol/chunk";
import {
  createChunkKeyCipher,
  createStreamCipher,
  generateDatasetKey,
  generateIdentity,
  generateX25519KeyPair,
  type Identity,
  nodeIdOf,
  signMessage,
  updateMessage,
  wrapDatasetKey,
} from "@cyxwiz/protocol/crypto";
import {
  DataClassification,
  DatasetManifestSchema,
  JobService,
  JobSpecSchema,
  NodeService,
  SubmitUpdateRequestSchema,
  WrappedKeySchema,
} from "@cyxwiz/protocol/gen";
import { loadPrimitives } from "@cyxwiz/protocol/primitives";
import { encodeUpdate } from "@cyxwiz/training";
import Fastify from "fastify";
import { loadGatewaySecrets } from "../src/auth/gateway-secrets.js";
import type { GatewayDeps } from "../src/gateway-deps.js";
import { createJobEngine, type JobEngine } from "../src/jobs/job-engine.js";
import { createJobEvents } from "../src/jobs/job-events.js";
import { createJobService } from "../src/jobs/job-service.js";
import { createNodeWorkService } from "../src/jobs/node-work-service.js";
import { classificationFromProto } from "../src/rpc/proto-mapping.js";
import { nodePrincipalKey, principalKey } from "../src/rpc/request-context.js";
import { createDirectoryBlobStore, createMetadataStore, type MetadataStore } from "../src/store/index.js";
import { openPgliteDriver } from "../src/store/pglite-driver.js";

/**
 * The compute plane without HTTP (STYLE §13, the router in memory): a real PGlite store, blob
 * store and keys in a fresh data directory, JobService for people and the worker methods for
 * nodes, each through createRouterTransport with the principal set as the auth interceptor would.
 */
export type JobDeps = Pick<GatewayDeps, "store" | "blobs" | "primitives" | "secrets" | "log" | "jobEvents">;

export interface TestNode {
  readonly nodeId: string;
  readonly identity: Identity;
  readonly agreementSecret: Uint8Array;
  readonly client: Client<typeof NodeService>;
  /** Signs and submits an update for a round. */
  submit(
    jobId: string,
    round: number,
    delta: Float32Array | Uint8Array,
    samples?: number,
    samplesPerSecond?: number,
  ): Promise<{ accepted: boolean; reason: string }>;
}

export interface NodeOptions {
  readonly operator?: string | null;
  readonly reputation?: number;
  readonly region?: string;
  readonly cores?: number;
  readonly backend?: "webgpu" | "wasm" | "cpu";
}

export interface DatasetOptions {
  readonly owner: string;
  readonly name: string;
  readonly samples?: number;
  /** "none", an escrowed key (Public/Internal) or Confidential without escrow. */
  readonly encryption?: "none" | "escrow" | "confidential" | "stream";
  readonly classification?: DataClassification;
  readonly chunkSize?: number;
  /** Upload the CSV's bytes as they are (no sample layout), as an opaque upload does. */
  readonly opaque?: boolean;
}

export interface JobWorld {
  readonly dataDir: string;
  readonly deps: JobDeps;
  readonly store: MetadataStore;
  readonly engine: JobEngine;
  /** Raw SQL, for what tests do behind the store's back (nodes, deadlines). */
  sql(text: string, params?: unknown[]): Promise<{ rows: Record<string, unknown>[] }>;
  jobs(username: string): Client<typeof JobService>;
  addUser(username: string): Promise<void>;
  addNode(options?: NodeOptions): Promise<TestNode>;
  node(nodeId: string, identity: Identity, agreementSecret: Uint8Array): TestNode;
  /** A synthetic dataset of 4 numeric features and 2 labels, committed as owner/name@v1. */
  dataset(options: DatasetOptions): Promise<{ ref: string; key: Uint8Array | undefined }>;
  /** Closes the store (not the directory); `reopen` opens the same directory again. */
  close(): Promise<void>;
  remove(): Promise<void>;
}

/** A JobSpec for tests: a 16-unit MLP on the 4 features, small rounds. */
export function testSpec(ref: string, fields: Record<string, unknown> = {}) {
  return create(JobSpecSchema, {
    datasetRef: ref,
    model: {
      case: "modelJson",
      value: JSON.stringify({ inputShape: [4], layers: [{ type: "dense", units: 16, activation: "relu" }] }),
    },
    optimizer: "sgd",
    learningRate: 0.1,
    batchSize: 16,
    rounds: 2,
    localWork: { case: "localEpochs", value: 1 },
    minWorkers: 1,
    maxWorkers: 2,
    roundDeadlineSeconds: 60,
    ...fields,
  });
}

function csvOf(samples: number): Uint8Array {
  const lines = ["x0,x1,x2,x3,label"];
  let s = 12345;
  const rand = () => {
    s = (s * 1103515245 + 12345) % 2 ** 31;
    return s / 2 ** 31 - 0.5;
  };
  for (let i = 0; i < samples; i++) {
    const x = [rand(), rand(), rand(), rand()];
    lines.push(`${x.map((v) => v.toFixed(4)).join(",")},${x[0]! + x[1]! > 0 ? "pos" : "neg"}`);
  }
  return new TextEncoder().encode(`${lines.join("\n")}\n`);
}

export async function openJobWorld(dataDir?: string): Promise<JobWorld> {
  const dir = dataDir ?? (await mkdtemp(join(tmpdir(), "cyxwiz-jobs-")));
  const driver = await openPgliteDriver(join(dir, "pgdata"));
  const store = await createMetadataStore(driver);
  const blobs = await createDirectoryBlobStore(join(dir, "chunks"));
  const secrets = await loadGatewaySecrets(dir);
  const primitives = await loadPrimitives();
  const log = Fastify({ logger: process.env.CYXWIZ_JOBS_LOG === undefined ? false : { level: "info" } }).log;
  const deps: JobDeps = { store, blobs, primitives, secrets, log, jobEvents: createJobEvents() };
  const engine = createJobEngine(deps, { tickMs: 50 });
  const jobService = createJobService(deps);
  const workService = createNodeWorkService(deps);

  const as =
    (set: (values: ContextValues) => void): Interceptor =>
    (next) =>
    (req) => {
      set(req.contextValues);
      return next(req);
    };

  const node = (nodeId: string, identity: Identity, agreementSecret: Uint8Array): TestNode => {
    const client = createClient(
      NodeService,
      createRouterTransport(({ service }) => service(NodeService, workService), {
        router: { interceptors: [as((v) => v.set(nodePrincipalKey, { nodeId, session: 1 }))] },
      }),
    );
    return {
      nodeId,
      identity,
      agreementSecret,
      client,
      submit(jobId, round, delta, samples = 10, samplesPerSecond = 100) {
        const bytes = delta instanceof Uint8Array ? delta : encodeUpdate(delta);
        return client.submitUpdate(
          create(SubmitUpdateRequestSchema, {
            jobId,
            round,
            delta: bytes,
            samples: BigInt(samples),
            loss: 0.5,
            accuracy: 0.5,
            samplesPerSecond,
            backend: "cpu",
            signature: signMessage(identity, updateMessage(jobId, round, bytes)),
          }),
        );
      },
    };
  };

  return {
    dataDir: dir,
    deps,
    store,
    engine,
    sql: (text, params = []) => driver.query(text, params),
    jobs(username) {
      return createClient(
        JobService,
        createRouterTransport(({ service }) => service(JobService, jobService), {
          router: { interceptors: [as((v) => v.set(principalKey, { username, admin: false }))] },
        }),
      );
    },
    async addUser(username) {
      await store.users.create({ username, passwordHash: "$scrypt$test" });
    },
    async addNode(options = {}) {
      const identity = generateIdentity();
      const agreement = generateX25519KeyPair();
      const nodeId = nodeIdOf(identity.publicKey);
      await driver.query(
        `INSERT INTO nodes (node_id, signing_public_key, agreement_public_key, kind, label, cores, memory_bytes, backend,
           region, storage_bytes, state, reputation, operator)
         VALUES ($1, $2, $3, 'daemon', $4, $5, 1073741824, $6, $7, 1073741824, 'idle', $8, $9)`,
        [
          nodeId,
          identity.publicKey,
          agreement.publicKey,
          `test ${nodeId.slice(5, 11)}`,
          options.cores ?? 4,
          options.backend ?? "wasm",
          options.region ?? "",
          options.reputation ?? 50,
          options.operator === undefined ? null : options.operator,
        ],
      );
      return node(nodeId, identity, agreement.secretKey);
    },
    node,
    dataset: (options) => commitTestDataset(deps, options),
    async close() {
      await engine.stop();
      await store.close();
    },
    async remove() {
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** A synthetic dataset of 4 numeric features and 2 labels, committed through the store as owner/name@v1. */
export async function commitTestDataset(
  deps: Pick<JobDeps, "store" | "blobs" | "primitives" | "secrets">,
  options: DatasetOptions,
): Promise<{ ref: string; key: Uint8Array | undefined }> {
  const { store, blobs, primitives, secrets } = deps;
  const p = primitives;
  const chunkSize = options.chunkSize ?? 2048;
  const prepared = await prepareSamples(
    [{ path: "data.csv", source: bytesByteSource(csvOf(options.samples ?? 300)) }],
    {
      chunkSize,
      labelColumn: "label",
    },
  );
  const encryption = options.encryption ?? "none";
  let key: Uint8Array | undefined;
  let cipher: Awaited<ReturnType<typeof createChunkKeyCipher>> | undefined;
  if (encryption !== "none") {
    key = generateDatasetKey();
    cipher = encryption === "stream" ? await createStreamCipher(p, key) : await createChunkKeyCipher(p, key);
    if (!cipher.ok) throw new Error(cipher.error.message);
  }
  const classification =
    options.classification ??
    (encryption === "confidential" ? DataClassification.CONFIDENTIAL : DataClassification.PUBLIC);
  const chunker = createChunker(
    p,
    options.opaque === true ? bytesByteSource(csvOf(options.samples ?? 300)) : prepared.source,
    {
      chunkSize,
      ...(options.opaque === true ? {} : { plainSizes: prepared.plainSizes, samples: prepared.layout }),
      ...(cipher?.ok ? { cipher: cipher.value } : {}),
      metadata: { name: options.name, classification },
    },
  );
  const chunks = [];
  for await (const c of chunker.chunks()) {
    await blobs.put(c.digest, storedBytes(c));
    chunks.push(c);
  }
  const manifest = chunker.manifest();
  const transferId = `t-${randomBytes(8).toString("hex")}`;
  const stored = classificationFromProto(classification)!;
  await store.transfers.create({
    id: transferId,
    owner: options.owner,
    name: options.name,
    classification: stored,
    numChunks: chunks.length,
    chunkSize,
    totalSize: Number(manifest.metadata!.totalSize),
    ...(options.opaque === true ? {} : { chunkPlainSizes: prepared.plainSizes }),
    encrypted: key !== undefined,
    compression: "none",
  });
  for (const c of chunks) await store.transfers.recordChunk(transferId, c.index, c.digest, c.storedSize);
  const escrow =
    key !== undefined && encryption !== "confidential"
      ? toBinary(WrappedKeySchema, await wrapDatasetKey(p, key, secrets.escrow.publicKey))
      : undefined;
  const v = await store.datasets.createVersion({
    owner: options.owner,
    name: options.name,
    transferId,
    manifestBytes: toBinary(DatasetManifestSchema, manifest),
    merkleRoot: manifest.metadata!.merkleRoot,
    escrowedKey: escrow,
  });
  return { ref: `${v.name}@v${v.version}`, key };
}
