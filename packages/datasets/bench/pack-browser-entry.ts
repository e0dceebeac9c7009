/**
 * The page side of the Chromium pack-throughput benchmark (bench/pack-chromium.ts bundles this
 * file with esbuild and serves it, with the MNIST files). Installs
 * `globalThis.cyxwizPackBench.run(options)`, which the Node side calls through Playwright's
 * `page.evaluate`: it fetches MNIST's bytes, generates the CSV, and measures both inputs with
 * the same code as the Node run (bench/pack-pipeline.ts), with the web primitives
 * (crypto.subtle AES-256-GCM and SHA-256).
 */
import { csvInput, mnistInput } from "./bench-inputs.js";
import { measurePackThroughput, type PackThroughputRow } from "./pack-pipeline.js";

/** What the Node side asks for. */
export interface PackBenchOptions {
  /** MNIST's files: the path the reader sees, and the URL the page fetches it from. */
  readonly mnist: readonly { readonly path: string; readonly url: string }[];
  readonly repeats: { readonly mnist: number; readonly csv: number };
  readonly chunkSize: number;
}

/** What the page answers. */
export interface PackBenchRun {
  readonly userAgent: string;
  readonly rows: readonly PackThroughputRow[];
}

/** The page-side API the Node driver calls. */
export interface PackBenchApi {
  run(options: PackBenchOptions): Promise<PackBenchRun>;
}

// The bench is type-checked with Node's types (tsconfig.node.json), which have no DOM: the page
// globals used here are declared narrowly.
interface PageGlobals {
  readonly navigator: { readonly userAgent: string };
  cyxwizPackBench?: PackBenchApi;
}
const g = globalThis as unknown as PageGlobals;

async function fetchBytes(url: string): Promise<Uint8Array> {
  const res = await fetch(url);
  if (!res.ok) throw new Error(`GET ${url}: HTTP ${res.status}`);
  return new Uint8Array(await res.arrayBuffer());
}

async function run(o: PackBenchOptions): Promise<PackBenchRun> {
  const mnist = await Promise.all(o.mnist.map(async (f) => ({ path: f.path, bytes: await fetchBytes(f.url) })));
  const rows = [
    await measurePackThroughput(mnistInput(mnist), { repeats: o.repeats.mnist, chunkSize: o.chunkSize }),
    await measurePackThroughput(csvInput(), { repeats: o.repeats.csv, chunkSize: o.chunkSize }),
  ];
  return { userAgent: g.navigator.userAgent, rows };
}

g.cyxwizPackBench = { run };
