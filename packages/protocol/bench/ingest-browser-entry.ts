/**
 * The browser side of the Chromium ingest benchmark (bench/ingest-chromium.ts bundles this file
 * with esbuild and serves it). The same bundle runs in two places:
 *
 * - on the page, where it installs `globalThis.cyxwizIngestBench` with `inPage(options)` and
 *   `inWorker(options)`, which the Node side calls through Playwright's `page.evaluate`;
 * - in a dedicated module Worker started from the same URL, where it answers one `run` message
 *   (the dashboard runs its pipeline in a Worker, so that is the figure that matters).
 *
 * Each run measures, over the same random bytes: the browser's native ceiling (raw
 * `crypto.subtle` AES-256-GCM encrypt + SHA-256 digest per chunk, nothing else), then the
 * protocol's ingest and verify pipelines with the web primitives (bench/ingest-pipeline.ts, the
 * code the Node run measures too). The three are interleaved, best of `repeats` each, so a burst
 * of load from other work on the shared machine hits them alike.
 */
import type { ByteSource } from "../src/chunk/index.js";
import { createWebPrimitives } from "../src/primitives/web-primitives.js";
import { createWebSealingPool } from "../src/primitives/web-sealing-pool.js";
import { ceiling, ingest, type PipelineRun, verify } from "./ingest-pipeline.js";

/** What the Node side asks for. */
export interface BrowserIngestOptions {
  readonly totalMiB: number;
  readonly chunkSize: number;
  readonly repeats: number;
  /** Workers of the sealing pool for the pooled ingest run. */
  readonly sealers: number;
}

/** One run's figures (MB = 10^6 bytes), the fields of ingest-node.json plus where it ran. */
export interface BrowserIngestRun {
  readonly where: "worker" | "page";
  readonly userAgent: string;
  readonly primitives: string;
  readonly totalBytes: number;
  readonly chunkSize: number;
  readonly compression: "none";
  readonly repeats: number;
  readonly ceilingMBps: number;
  readonly ingestMBps: number;
  readonly verifyMBps: number;
  readonly ingestRatio: number;
  readonly verifyRatio: number;
  /** Sealing workers of the pooled run (the dashboard's upload worker seals with a pool). */
  readonly sealers: number;
  /**
   * Ingest with a sealing pool. Each chunk is read as a fresh copy of the bytes (what a file
   * read yields), which the pool hands to its workers by transfer.
   */
  readonly pooledIngestMBps: number;
  readonly pooledIngestRatio: number;
  /**
   * The same native ceiling with the same bytes cut into `smallCallSize` pieces: what Web Crypto
   * costs per byte when each call's buffers are small. Chromium copies a call's input and output
   * into fresh buffers, and fresh multi-MiB buffers are page-faulted and zeroed every time, so
   * per byte a 4 MiB call costs much more than a 512 KiB one (a chunk is one AES-GCM message,
   * so the pipeline cannot choose the smaller calls; this says what its chunk size costs).
   */
  readonly smallCallSize: number;
  readonly smallCallCeilingMBps: number;
  /** smallCallCeilingMBps / ceilingMBps. */
  readonly smallCallRatio: number;
}

/** The call size of the small-call ceiling: under the size Chromium allocates afresh per call. */
const SMALL_CALL_SIZE = 512 * 1024;

/** The page-side API the Node driver calls. */
export interface IngestBenchApi {
  inPage(options: BrowserIngestOptions): Promise<BrowserIngestRun>;
  inWorker(options: BrowserIngestOptions): Promise<BrowserIngestRun>;
}

// The bench is type-checked with Node's types (tsconfig.node.json), which have no DOM: the few
// Worker and page globals used here are declared narrowly.
interface MessageLike {
  readonly data: unknown;
}
interface WorkerLike {
  postMessage(message: unknown): void;
  terminate(): void;
  onmessage: ((event: MessageLike) => void) | null;
  onerror: ((event: { readonly message?: string }) => void) | null;
}
interface BrowserGlobals {
  readonly WorkerGlobalScope?: unknown;
  readonly Worker: new (url: string | URL, options: { type: "module" }) => WorkerLike;
  readonly navigator: { readonly userAgent: string };
  postMessage(message: unknown): void;
  onmessage: ((event: MessageLike) => void) | null;
  cyxwizIngestBench?: IngestBenchApi;
}
const g = globalThis as unknown as BrowserGlobals;

/** crypto.getRandomValues fills at most 65,536 bytes per call. */
const RANDOM_PIECE = 64 * 1024;

/** The page's or worker's Web Crypto; the bench needs both halves of it. */
function webCrypto() {
  const c = globalThis.crypto;
  if (c?.subtle === undefined) throw new Error("crypto.subtle is missing: the page is not a secure context");
  return { getRandomValues: c.getRandomValues.bind(c), subtle: c.subtle };
}

function randomData(bytes: number): Uint8Array {
  const { getRandomValues } = webCrypto();
  const data = new Uint8Array(bytes);
  for (let off = 0; off < bytes; off += RANDOM_PIECE)
    getRandomValues(data.subarray(off, Math.min(bytes, off + RANDOM_PIECE)));
  return data;
}

/**
 * The bytes as a source whose every read is a fresh copy, as reading a file is: the copy is paid
 * on this thread, and the buffer is then the reader's to transfer to a sealing worker.
 */
function freshCopies(data: Uint8Array): ByteSource {
  return {
    size: data.length,
    freshReads: true,
    read: async (offset, length) => data.slice(offset, Math.min(data.length, offset + length)),
  };
}

/** Measures ceiling, ingest and verify in this thread (page or worker). */
async function measure(where: BrowserIngestRun["where"], o: BrowserIngestOptions): Promise<BrowserIngestRun> {
  const { subtle } = webCrypto();
  const data = randomData(o.totalMiB * 1024 * 1024);
  const key = randomData(32);
  const p = await createWebPrimitives();
  const rawKey = await subtle.importKey("raw", key, { name: "AES-GCM" }, false, ["encrypt"]);
  const nonce = new Uint8Array(12);
  const nonceView = new DataView(nonce.buffer);
  const native = (callSize = o.chunkSize): Promise<PipelineRun> =>
    ceiling(data, callSize, async (chunk, i) => {
      nonceView.setUint32(8, i);
      const sealed = await subtle.encrypt({ name: "AES-GCM", iv: nonce }, rawKey, chunk);
      await subtle.digest("SHA-256", new Uint8Array(sealed));
    });

  const pool = createWebSealingPool(o.sealers);
  const pooled = pool.wrap(p);

  let bestCeiling: PipelineRun | undefined;
  let bestSmall: PipelineRun | undefined;
  let bestIngest: Awaited<ReturnType<typeof ingest>> | undefined;
  let bestPooled: PipelineRun | undefined;
  let bestVerify: PipelineRun | undefined;
  try {
    for (let r = 0; r < o.repeats; r++) {
      const c = await native();
      if (bestCeiling === undefined || c.mbPerSecond > bestCeiling.mbPerSecond) bestCeiling = c;
      const small = await native(SMALL_CALL_SIZE);
      if (bestSmall === undefined || small.mbPerSecond > bestSmall.mbPerSecond) bestSmall = small;
      const ing = await ingest(p, data, o.chunkSize, key, { keep: true });
      if (bestIngest === undefined || ing.result.mbPerSecond > bestIngest.result.mbPerSecond) bestIngest = ing;
      const ver = await verify(p, ing.frames, ing.cipher);
      if (bestVerify === undefined || ver.mbPerSecond > bestVerify.mbPerSecond) bestVerify = ver;
      const many = await ingest(pooled, data, o.chunkSize, key, {
        readAhead: o.sealers + 1,
        source: freshCopies(data),
      });
      if (bestPooled === undefined || many.result.mbPerSecond > bestPooled.mbPerSecond) bestPooled = many.result;
    }
  } finally {
    pool.close();
  }
  if (
    bestCeiling === undefined ||
    bestSmall === undefined ||
    bestIngest === undefined ||
    bestVerify === undefined ||
    bestPooled === undefined
  ) {
    throw new RangeError(`repeats must be at least 1, got ${o.repeats}`);
  }
  return {
    where,
    userAgent: g.navigator.userAgent,
    primitives: p.name,
    totalBytes: data.length,
    chunkSize: o.chunkSize,
    compression: "none",
    repeats: o.repeats,
    ceilingMBps: bestCeiling.mbPerSecond,
    ingestMBps: bestIngest.result.mbPerSecond,
    verifyMBps: bestVerify.mbPerSecond,
    ingestRatio: bestIngest.result.mbPerSecond / bestCeiling.mbPerSecond,
    verifyRatio: bestVerify.mbPerSecond / bestCeiling.mbPerSecond,
    sealers: o.sealers,
    pooledIngestMBps: bestPooled.mbPerSecond,
    pooledIngestRatio: bestPooled.mbPerSecond / bestCeiling.mbPerSecond,
    smallCallSize: SMALL_CALL_SIZE,
    smallCallCeilingMBps: bestSmall.mbPerSecond,
    smallCallRatio: bestSmall.mbPerSecond / bestCeiling.mbPerSecond,
  };
}

type WorkerReply =
  | { readonly ok: true; readonly run: BrowserIngestRun }
  | { readonly ok: false; readonly error: string };

/** Starts a module Worker on this very bundle, runs the measurement there, and ends the Worker. */
function inWorker(options: BrowserIngestOptions): Promise<BrowserIngestRun> {
  return new Promise((resolve, reject) => {
    const worker = new g.Worker(new URL(import.meta.url), { type: "module" });
    worker.onmessage = (event) => {
      worker.terminate();
      const reply = event.data as WorkerReply;
      if (reply.ok) resolve(reply.run);
      else reject(new Error(`in the worker: ${reply.error}`));
    };
    worker.onerror = (event) => {
      worker.terminate();
      reject(new Error(`the worker failed: ${event.message ?? "unknown error"}`));
    };
    worker.postMessage(options);
  });
}

if (g.WorkerGlobalScope !== undefined) {
  g.onmessage = (event) => {
    measure("worker", event.data as BrowserIngestOptions).then(
      (run) => g.postMessage({ ok: true, run } satisfies WorkerReply),
      (e: unknown) =>
        g.postMessage({
          ok: false,
          error: e instanceof Error ? (e.stack ?? e.message) : String(e),
        } satisfies WorkerReply),
    );
  };
} else {
  g.cyxwizIngestBench = { inPage: (options) => measure("page", options), inWorker };
}
