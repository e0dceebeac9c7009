/**
 * The page side of the Chromium training benchmark (bench/train-chromium.ts bundles this file
 * with esbuild and serves it with the packed MNIST chunks and the WASM backend's files). Installs
 * `globalThis.cyxwizTrainBench.run(options)`, which the Node side calls through Playwright's
 * `page.evaluate`: it fetches the chunks and measures each backend with the same code as the
 * Node run (bench/train-throughput.ts).
 */
import { setWasmPaths } from "@tensorflow/tfjs-backend-wasm";
import type { BackendName } from "../src/index.js";
import { measureThroughput, type ThroughputRow } from "./train-throughput.js";

/** What the Node side asks for. */
export interface TrainBenchOptions {
  readonly chunkUrls: readonly string[];
  readonly labels: readonly string[];
  /** Where the page finds tfjs-backend-wasm's .wasm files (a URL path ending in "/"). */
  readonly wasmPath: string;
  readonly backends: readonly BackendName[];
  readonly steps: Readonly<Record<BackendName, number>>;
  readonly batchSize: number;
  readonly warmupSteps: number;
  readonly repeats: number;
  readonly seed: number;
}

/** What the page answers. */
export interface TrainBenchRun {
  readonly userAgent: string;
  /** The WebGPU adapter's info (SwiftShader here), or null without WebGPU. */
  readonly adapter: Record<string, unknown> | null;
  readonly rows: readonly ThroughputRow[];
}

/** The page-side API the Node driver calls. */
export interface TrainBenchApi {
  run(options: TrainBenchOptions): Promise<TrainBenchRun>;
}

// The bench is type-checked with Node's types (tsconfig.node.json), which have no DOM: the page
// globals used here are declared narrowly.
interface GpuAdapterLike {
  readonly isFallbackAdapter?: boolean;
  readonly info?: { readonly vendor: string; readonly architecture: string; readonly description: string };
}
interface PageGlobals {
  readonly navigator: {
    readonly userAgent: string;
    readonly gpu?: { requestAdapter(): Promise<GpuAdapterLike | null> };
  };
  cyxwizTrainBench?: TrainBenchApi;
}
const g = globalThis as unknown as PageGlobals;

async function fetchBytes(url: string): Promise<Uint8Array> {
  const res = await fetch(url);
  if (!res.ok) throw new Error(`GET ${url}: HTTP ${res.status}`);
  return new Uint8Array(await res.arrayBuffer());
}

async function adapterInfo(): Promise<Record<string, unknown> | null> {
  const a = await g.navigator.gpu?.requestAdapter();
  if (a === undefined || a === null) return null;
  return {
    isFallbackAdapter: a.isFallbackAdapter,
    vendor: a.info?.vendor,
    architecture: a.info?.architecture,
    description: a.info?.description,
  };
}

async function run(o: TrainBenchOptions): Promise<TrainBenchRun> {
  setWasmPaths(o.wasmPath);
  const chunks = await Promise.all(o.chunkUrls.map(fetchBytes));
  const rows: ThroughputRow[] = [];
  for (const backend of o.backends)
    rows.push(
      await measureThroughput({
        backend,
        chunks,
        labels: o.labels,
        batchSize: o.batchSize,
        steps: o.steps[backend],
        warmupSteps: o.warmupSteps,
        repeats: o.repeats,
        seed: o.seed,
      }),
    );
  return { userAgent: g.navigator.userAgent, adapter: await adapterInfo(), rows };
}

g.cyxwizTrainBench = { run };
