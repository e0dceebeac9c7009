/**
 * An in-memory stand-in for the gateway's NodeService (proto/cyxwiz/compute/v1/node_service.proto),
 * for tests of workers (the client's runWorker, `cyxwiz daemon`). It behaves as the proto's
 * comments say, with real checks: a challenge is good for one Register, the registration and every
 * update signature are verified with @cyxwiz/protocol/crypto, node tokens are required, and
 * FetchShard serves only the chunks of a shard assigned to the caller. Its dataset is real: a
 * synthetic two-class table packed with @cyxwiz/datasets/pack, chunks sealed with the
 * per-chunk-key suite, a Merkle tree over them, and grants made for the worker's X25519 key.
 *
 * It is not the gateway: one dataset, no database, no aggregation; a test pushes assignments and
 * revocations, and reads what the worker sent.
 */
import { randomBytes as nodeRandomBytes } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { create } from "@bufbuild/protobuf";
import { timestampFromMs } from "@bufbuild/protobuf/wkt";
import {
  Code,
  ConnectError,
  type ConnectRouter,
  createRouterTransport,
  type HandlerContext,
  type Transport,
} from "@connectrpc/connect";
import { connectNodeAdapter } from "@connectrpc/connect-node";
import { prepareSamples } from "@cyxwiz/datasets/pack";
import { decodeSampleChunk, type InputFile } from "@cyxwiz/datasets/samples";
import { bytesByteSource } from "@cyxwiz/protocol/chunk";
import {
  createChunkKeyCipher,
  generateDatasetKey,
  grantChunkKeys,
  nodeIdOf,
  registrationMessage,
  updateMessage,
  verifySignature,
} from "@cyxwiz/protocol/crypto";
import {
  type Assignment,
  AssignmentSchema,
  type CipherParameters,
  type DataChunk,
  DataChunkSchema,
  type NodeCapacity,
  type NodeKind,
  NodeService,
  type WatchAssignmentsResponse,
  WatchAssignmentsResponseSchema,
} from "@cyxwiz/protocol/gen";
import { MerkleTree } from "@cyxwiz/protocol/merkle";
import { loadPrimitives, type Primitives } from "@cyxwiz/protocol/primitives";
import {
  buildModel,
  chooseBackend,
  encodeUpdate,
  type ModelSpec,
  validateModelSpec,
  weightsOf,
} from "@cyxwiz/training";

/** The fake's dataset: 200 samples (x, y, label), label "a" around (-1,-1), "b" around (1,1). */
export interface FakeDataset {
  /** The class labels in label-histogram order (class ids), the feature and label columns, the model. */
  readonly labels: readonly string[];
  readonly featureColumns: readonly string[];
  readonly labelColumn: string;
  readonly modelSpec: ModelSpec;
  /** Each chunk as stored and served (sealed when encrypted). */
  readonly stored: readonly Uint8Array[];
  readonly plaintexts: readonly Uint8Array[];
  /** Rows per chunk, and the dataset-wide index of each chunk's first row. */
  readonly rows: readonly number[];
  readonly firstSamples: readonly number[];
  readonly tree: MerkleTree;
  readonly encrypted: boolean;
  readonly datasetKey?: Uint8Array;
  readonly cipherParameters?: CipherParameters;
}

/** A registered worker as the fake knows it. */
export interface FakeNode {
  readonly nodeId: string;
  readonly signingPublicKey: Uint8Array;
  readonly agreementPublicKey: Uint8Array;
  readonly capacity: NodeCapacity | undefined;
  readonly kind: NodeKind;
  readonly label: string;
  /** The person's token Register carried, if any. */
  readonly userToken: string | undefined;
  token: string;
}

/** An update the worker sent, after the fake checked its signature. */
export interface ReceivedUpdate {
  readonly nodeId: string;
  readonly jobId: string;
  readonly round: number;
  readonly delta: Uint8Array;
  readonly samples: number;
  readonly loss: number;
  readonly accuracy: number;
  readonly samplesPerSecond: number;
  readonly backend: string;
  readonly signatureValid: boolean;
}

/** The model the fake's jobs train: 2 inputs → 8 (relu) → 2 classes. */
export const FAKE_MODEL_SPEC: ModelSpec = validateModelSpec({
  inputShape: [2],
  layers: [{ type: "dense", units: 8, activation: "relu" }],
  optimizer: "adam",
  learningRate: 0.01,
});

/** Another dataset of samples for the fake to serve, e.g. MNIST for a measurement. */
export interface FakeDatasetSource {
  readonly files: readonly InputFile[];
  readonly featureColumns: readonly string[];
  readonly labelColumn: string;
  readonly modelSpec: ModelSpec;
}

export interface FakeNodeServiceOptions {
  /** Default: the 200-row two-class table (x, y, label) trained with FAKE_MODEL_SPEC. */
  readonly source?: FakeDatasetSource;
  /** Seal the chunks with AES-256-GCM-CHUNKKEY-v1 and grant keys per assignment (default true). */
  readonly encrypted?: boolean;
  /** Plaintext bytes per chunk when packing (default 1200: about 4 chunks). */
  readonly chunkSize?: number;
  /** Node token lifetime (default 1 hour). */
  readonly tokenSeconds?: number;
  readonly heartbeatSeconds?: number;
}

/** What {@link FakeNodeService.assign} takes: the shard, and what differs from the defaults. */
export interface AssignSpec {
  readonly jobId: string;
  readonly round?: number;
  readonly shard?: number;
  /** The dataset's chunks the shard needs (default: all). */
  readonly chunks?: readonly number[];
  /** Dataset-wide sample ranges [start, end) (default: every row of `chunks`). */
  readonly samples?: readonly { start: number; end: number }[];
  /** Grant the keys of these chunks instead of `chunks` (to test a chunk outside the grant). */
  readonly grantChunks?: readonly number[];
  readonly localEpochs?: number;
  readonly localSteps?: number;
  readonly batchSize?: number;
  readonly secureDelete?: boolean;
  readonly cacheTtlHours?: number;
  readonly modelJson?: string;
}

export class FakeNodeService {
  readonly nodes = new Map<string, FakeNode>();
  /** Registrations accepted, counting re-registrations. */
  registrations = 0;
  readonly updates: ReceivedUpdate[] = [];
  readonly erasures: { nodeId: string; jobId: string; chunks: number; overwritten: boolean }[] = [];
  readonly left: { nodeId: string; reason: string }[] = [];
  readonly heartbeats: { nodeId: string; state: number; jobId: string }[] = [];
  /** Every FetchShard call: the job and the indices asked for. */
  readonly fetches: { jobId: string; chunkIndices: number[] }[] = [];
  /** Chunk index → a function that damages what FetchShard sends for it. */
  readonly tamper = new Map<number, (chunk: DataChunk) => void>();
  readonly #challenges = new Map<string, number>();
  readonly #assigned = new Map<string, Set<number>>(); // `${nodeId}/${jobId}` → chunk indices
  readonly #streams = new Map<string, ((m: WatchAssignmentsResponse) => void)[]>();
  readonly #pending = new Map<string, WatchAssignmentsResponse[]>();
  readonly #waiters: (() => void)[] = [];
  readonly #options: FakeNodeServiceOptions;
  readonly primitives: Primitives;
  readonly dataset: FakeDataset;

  /** The global weights every assignment starts from (a fresh model's), encoded as updates are. */
  readonly initialWeights: Uint8Array;

  private constructor(
    options: FakeNodeServiceOptions,
    primitives: Primitives,
    dataset: FakeDataset,
    initialWeights: Uint8Array,
  ) {
    this.#options = options;
    this.primitives = primitives;
    this.dataset = dataset;
    this.initialWeights = initialWeights;
  }

  /** Packs the dataset (and seals it when encrypted) and returns the fake. */
  static async create(options: FakeNodeServiceOptions = {}): Promise<FakeNodeService> {
    const primitives = await loadPrimitives();
    const dataset = await buildDataset(primitives, options);
    await chooseBackend("cpu", dataset.modelSpec); // the weights are made on a backend
    const model = buildModel(dataset.modelSpec, dataset.labels.length);
    const weights = encodeUpdate(weightsOf(model).values);
    model.dispose();
    return new FakeNodeService(options, primitives, dataset, weights);
  }

  /** The Connect routes of NodeService, for createRouterTransport or connectNodeAdapter. */
  routes = (router: ConnectRouter): void => {
    router.service(NodeService, {
      getChallenge: () => {
        const nonce = randomBytes(32);
        const expires = Date.now() + 60_000;
        this.#challenges.set(hex(nonce), expires);
        return { nonce, expiresAt: timestampFromMs(expires) };
      },
      register: async (req, ctx) => {
        const expires = this.#challenges.get(hex(req.nonce));
        this.#challenges.delete(hex(req.nonce));
        if (expires === undefined || expires < Date.now())
          throw new ConnectError("the nonce is unknown, spent or expired", Code.Unauthenticated);
        const message = registrationMessage({
          nonce: req.nonce,
          signingPublicKey: req.signingPublicKey,
          agreementPublicKey: req.agreementPublicKey,
        });
        if (!verifySignature(req.signingPublicKey, message, req.signature))
          throw new ConnectError("the registration signature does not verify", Code.Unauthenticated);
        const nodeId = nodeIdOf(req.signingPublicKey);
        this.registrations++;
        const token = `nt_${hex(randomBytes(16))}`;
        const auth = ctx.requestHeader.get("authorization");
        this.nodes.set(nodeId, {
          nodeId,
          signingPublicKey: req.signingPublicKey,
          agreementPublicKey: req.agreementPublicKey,
          capacity: req.capacity,
          kind: req.kind,
          label: req.label,
          userToken: auth?.startsWith("Bearer ") ? auth.slice(7) : undefined,
          token,
        });
        for (const w of this.#waiters.splice(0)) w();
        return {
          nodeId,
          nodeToken: token,
          tokenExpiresAt: timestampFromMs(Date.now() + (this.#options.tokenSeconds ?? 3600) * 1000),
          heartbeatSeconds: this.#options.heartbeatSeconds ?? 5,
        };
      },
      heartbeat: (req, ctx) => {
        const node = this.#node(ctx);
        this.heartbeats.push({ nodeId: node.nodeId, state: req.state, jobId: req.jobId });
        return { nextHeartbeatSeconds: this.#options.heartbeatSeconds ?? 5 };
      },
      watchAssignments: (_req, ctx) => this.#watch(this.#node(ctx).nodeId, ctx),
      fetchShard: (req, ctx) => this.#fetch(this.#node(ctx).nodeId, req.jobId, req.chunkIndices),
      submitUpdate: (req, ctx) => {
        const node = this.#node(ctx);
        const signatureValid = verifySignature(
          node.signingPublicKey,
          updateMessage(req.jobId, req.round, req.delta),
          req.signature,
        );
        this.updates.push({
          nodeId: node.nodeId,
          jobId: req.jobId,
          round: req.round,
          delta: req.delta,
          samples: Number(req.samples),
          loss: req.loss,
          accuracy: req.accuracy,
          samplesPerSecond: req.samplesPerSecond,
          backend: req.backend,
          signatureValid,
        });
        for (const w of this.#waiters.splice(0)) w();
        return signatureValid ? { accepted: true, reason: "" } : { accepted: false, reason: "bad signature" };
      },
      reportErasure: (req, ctx) => {
        this.erasures.push({
          nodeId: this.#node(ctx).nodeId,
          jobId: req.jobId,
          chunks: req.chunks,
          overwritten: req.overwritten,
        });
        for (const w of this.#waiters.splice(0)) w();
        return {};
      },
      leave: (req, ctx) => {
        this.left.push({ nodeId: this.#node(ctx).nodeId, reason: req.reason });
        for (const w of this.#waiters.splice(0)) w();
        return {};
      },
      listNodes: () => ({ nodes: [] }),
    });
  };

  /** An in-memory transport to the fake (real protobuf, no network). */
  transport(): Transport {
    return createRouterTransport(this.routes);
  }

  /** A Node HTTP handler serving the fake (connect-node), for a real server. */
  handler(): (req: IncomingMessage, res: ServerResponse) => void {
    return connectNodeAdapter({ routes: this.routes });
  }

  /** Resolves once `test()` holds, re-checked after every registration, update, erasure and leave. */
  async until(test: () => boolean, timeoutMs = 60_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!test()) {
      if (Date.now() > deadline) throw new Error("the fake NodeService waited in vain");
      await new Promise<void>((resolve) => {
        this.#waiters.push(resolve);
        setTimeout(resolve, 200);
      });
    }
  }

  /** The only registered node (tests run one worker). */
  get node(): FakeNode {
    const [node] = this.nodes.values();
    if (node === undefined) throw new Error("no node has registered");
    return node;
  }

  /** Builds an assignment for the registered node (with a key grant when encrypted) and sends it. */
  async assign(spec: AssignSpec): Promise<Assignment> {
    const node = this.node;
    const d = this.dataset;
    const chunks = [...(spec.chunks ?? d.stored.map((_, i) => i))];
    const samples =
      spec.samples ?? chunks.map((i) => ({ start: d.firstSamples[i]!, end: d.firstSamples[i]! + d.rows[i]! }));
    const keyGrant =
      d.encrypted && d.datasetKey !== undefined && d.cipherParameters !== undefined
        ? await grantChunkKeys(
            this.primitives,
            d.datasetKey,
            d.cipherParameters,
            [...(spec.grantChunks ?? chunks)],
            node.agreementPublicKey,
          )
        : undefined;
    const assignment = create(AssignmentSchema, {
      jobId: spec.jobId,
      round: spec.round ?? 1,
      shard: spec.shard ?? 0,
      datasetRef: "toy@v1",
      chunkIndices: chunks,
      samples: samples.map((r) => ({ start: BigInt(r.start), end: BigInt(r.end) })),
      modelJson: spec.modelJson ?? JSON.stringify(d.modelSpec),
      optimizer: "adam",
      learningRate: 0.01,
      batchSize: spec.batchSize ?? 16,
      localEpochs: spec.localEpochs ?? 1,
      localSteps: spec.localSteps ?? 0,
      globalWeights: this.initialWeights,
      chunkFirstSamples: chunks.map((i) => BigInt(d.firstSamples[i]!)),
      featureColumns: [...d.featureColumns],
      labelColumn: d.labelColumn,
      labels: [...d.labels],
      ...(keyGrant === undefined ? {} : { keyGrant }),
      merkleRoot: d.tree.root,
      codec: "none",
      secureDelete: spec.secureDelete ?? true,
      cacheTtlHours: spec.cacheTtlHours ?? 24,
    });
    this.#assigned.set(`${node.nodeId}/${spec.jobId}`, new Set(chunks));
    this.#send(
      node.nodeId,
      create(WatchAssignmentsResponseSchema, { event: { case: "assignment", value: assignment } }),
    );
    return assignment;
  }

  /** Forgets every node token, as a restarted gateway would: the next call answers UNAUTHENTICATED. */
  forgetTokens(): void {
    for (const node of this.nodes.values()) node.token = `forgotten_${node.token}`;
  }

  /** Revokes a job: the worker must stop and erase its data. */
  revoke(jobId: string): void {
    const node = this.node;
    this.#assigned.delete(`${node.nodeId}/${jobId}`);
    this.#send(node.nodeId, create(WatchAssignmentsResponseSchema, { event: { case: "revokedJobId", value: jobId } }));
  }

  #send(nodeId: string, message: WatchAssignmentsResponse): void {
    const listeners = this.#streams.get(nodeId) ?? [];
    if (listeners.length === 0) {
      const queue = this.#pending.get(nodeId) ?? [];
      queue.push(message);
      this.#pending.set(nodeId, queue);
    }
    for (const l of listeners) l(message);
  }

  #node(ctx: HandlerContext): FakeNode {
    const auth = ctx.requestHeader.get("authorization") ?? "";
    for (const node of this.nodes.values()) if (auth === `Bearer ${node.token}`) return node;
    throw new ConnectError("no valid node token", Code.Unauthenticated);
  }

  async *#watch(nodeId: string, ctx: HandlerContext): AsyncGenerator<WatchAssignmentsResponse> {
    const queue: WatchAssignmentsResponse[] = [...(this.#pending.get(nodeId) ?? [])];
    this.#pending.delete(nodeId);
    let wake: (() => void) | undefined;
    const listener = (m: WatchAssignmentsResponse) => {
      queue.push(m);
      wake?.();
    };
    const listeners = this.#streams.get(nodeId) ?? [];
    listeners.push(listener);
    this.#streams.set(nodeId, listeners);
    const closed = new Promise<void>((resolve) => ctx.signal.addEventListener("abort", () => resolve()));
    try {
      while (!ctx.signal.aborted) {
        const next = queue.shift();
        if (next !== undefined) {
          yield next;
          continue;
        }
        await Promise.race([new Promise<void>((resolve) => (wake = resolve)), closed]);
      }
    } finally {
      this.#streams.set(
        nodeId,
        (this.#streams.get(nodeId) ?? []).filter((l) => l !== listener),
      );
    }
  }

  async *#fetch(nodeId: string, jobId: string, indices: readonly number[]) {
    const allowed = this.#assigned.get(`${nodeId}/${jobId}`);
    this.fetches.push({ jobId, chunkIndices: [...indices] });
    for (const i of indices)
      if (allowed?.has(i) !== true)
        throw new ConnectError(`chunk ${i} is not in a shard of ${jobId} assigned to you`, Code.PermissionDenied);
    const d = this.dataset;
    for (const i of indices) {
      const payload = d.stored[i]!;
      const chunk = create(DataChunkSchema, {
        transferId: "toy-v1",
        chunkIndex: i,
        sequence: BigInt(i),
        payload: payload.slice(),
        fcs: this.primitives.crc32(payload),
        checksum: await this.primitives.sha256(payload),
        merkleProof: d.tree.proof(i).path.map((p) => p.slice()),
        isLast: i === d.stored.length - 1,
      });
      this.tamper.get(i)?.(chunk);
      yield { chunk, merkleRoot: d.tree.root };
    }
  }
}

/** The two-class table as CSV: 100 rows of each label, deterministic. */
function toyCsv(): Uint8Array {
  const lines = ["x,y,label"];
  let seed = 7;
  const noise = () => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return (seed / 2 ** 31 - 0.5) * 0.8;
  };
  for (let r = 0; r < 200; r++) {
    const b = r % 2 === 1;
    const c = b ? 1 : -1;
    lines.push(`${(c + noise()).toFixed(4)},${(c + noise()).toFixed(4)},${b ? "b" : "a"}`);
  }
  return new TextEncoder().encode(`${lines.join("\n")}\n`);
}

async function buildDataset(primitives: Primitives, options: FakeNodeServiceOptions): Promise<FakeDataset> {
  const source: FakeDatasetSource = options.source ?? {
    files: [{ path: "toy.csv", source: bytesByteSource(toyCsv()) }],
    featureColumns: ["x", "y"],
    labelColumn: "label",
    modelSpec: FAKE_MODEL_SPEC,
  };
  const prepared = await prepareSamples(source.files, {
    chunkSize: options.chunkSize ?? 1200,
    labelColumn: source.labelColumn,
  });
  const plaintexts = [...prepared.chunks];
  const rows = plaintexts.map((c) => decodeSampleChunk(c).numRows);
  const firstSamples = rows.map((_, i) => rows.slice(0, i).reduce((a, b) => a + b, 0));
  const encrypted = options.encrypted ?? true;
  let stored = plaintexts;
  let datasetKey: Uint8Array | undefined;
  let cipherParameters: FakeDataset["cipherParameters"];
  if (encrypted) {
    datasetKey = generateDatasetKey();
    const made = await createChunkKeyCipher(primitives, datasetKey);
    if (!made.ok) throw new Error(made.error.message);
    const cipher = made.value;
    cipherParameters = cipher.parameters;
    stored = await Promise.all(plaintexts.map((p, i) => cipher.seal(i, i === plaintexts.length - 1, p)));
  }
  const digests = await Promise.all(stored.map((s) => primitives.sha256(s)));
  const tree = MerkleTree.fromDigests(digests);
  return {
    labels: prepared.summary.labelHistogram.map((h) => h.label),
    featureColumns: source.featureColumns,
    labelColumn: source.labelColumn,
    modelSpec: source.modelSpec,
    stored,
    plaintexts,
    rows,
    firstSamples,
    tree,
    encrypted,
    ...(datasetKey === undefined ? {} : { datasetKey }),
    ...(cipherParameters === undefined ? {} : { cipherParameters }),
  };
}

function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString("hex");
}

function randomBytes(n: number): Uint8Array {
  return new Uint8Array(nodeRandomBytes(n));
}
