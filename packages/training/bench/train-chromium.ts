/**
 * Training throughput inside headless Chromium: bench/train-throughput.ts on a page, on webgpu
 * (SwiftShader here), wasm and cpu.
 *
 * How (as packages/datasets/bench/pack-chromium.ts): esbuild bundles bench/train-browser-entry.ts
 * in memory; a node:http server on 127.0.0.1 (a secure context, so navigator.gpu exists) serves
 * it, the packed MNIST chunks and tfjs-backend-wasm's .wasm files; Playwright drives Debian's
 * /usr/bin/chromium with --enable-unsafe-webgpu (never a downloaded browser) and awaits the page.
 *
 * Run alone: `cd packages/training && node --import tsx bench/train-chromium.ts`
 */
import { readFile } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import { createRequire } from "node:module";
import type { AddressInfo } from "node:net";
import { dirname } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { build } from "esbuild";
import { chromium } from "playwright-core";
import { CHROMIUM_PATH, CHROMIUM_WEBGPU_ARGS } from "../../../test-support/chromium.js";
import { BATCH_SIZE, SEED, THROUGHPUT_REPEATS, THROUGHPUT_STEPS, WARMUP_STEPS } from "./bench-config.js";
import type { TrainBenchApi, TrainBenchOptions, TrainBenchRun } from "./train-browser-entry.js";

const ENTRY = fileURLToPath(new URL("./train-browser-entry.ts", import.meta.url));
const WASM_FILES = ["tfjs-backend-wasm.wasm", "tfjs-backend-wasm-simd.wasm", "tfjs-backend-wasm-threaded-simd.wasm"];

type Files = Map<string, { body: Uint8Array; type: string }>;

/** The bundle (one ESM file and its chunks), the chunks of samples and the .wasm files, by URL path. */
async function filesToServe(chunks: readonly Uint8Array[]): Promise<Files> {
  const out = await build({
    entryPoints: { "train-browser-entry": ENTRY },
    bundle: true,
    platform: "browser",
    format: "esm",
    target: "es2022",
    splitting: true,
    outdir: "/bench-bundle", // virtual: write is false
    write: false,
    logLevel: "warning",
  });
  const files: Files = new Map();
  for (const f of out.outputFiles)
    files.set(`/${f.path.slice("/bench-bundle/".length)}`, {
      body: f.contents,
      type: "text/javascript; charset=utf-8",
    });
  chunks.forEach((c, i) => {
    files.set(`/chunks/${i}`, { body: c, type: "application/octet-stream" });
  });
  const require = createRequire(import.meta.url);
  const wasmDir = dirname(require.resolve("@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm"));
  for (const name of WASM_FILES)
    files.set(`/tfjs-wasm/${name}`, {
      body: new Uint8Array(await readFile(`${wasmDir}/${name}`)),
      type: "application/wasm",
    });
  return files;
}

const PAGE = `<!doctype html><meta charset="utf-8"><title>cyxwiz training bench</title>
<script type="module" src="/train-browser-entry.js"></script>`;

async function serve(files: Files): Promise<{ server: Server; origin: string }> {
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? "/", "http://127.0.0.1").pathname;
    if (path === "/favicon.ico") {
      res.writeHead(204);
      res.end();
      return;
    }
    const file = path === "/" ? { body: PAGE, type: "text/html; charset=utf-8" } : files.get(path);
    if (file === undefined) {
      res.writeHead(404, { "content-type": "text/plain" });
      res.end("not found");
      return;
    }
    res.writeHead(200, { "content-type": file.type, "cache-control": "no-store" });
    res.end(file.body);
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", resolve);
  });
  const { port } = server.address() as AddressInfo;
  return { server, origin: `http://127.0.0.1:${port}` };
}

export interface TrainChromiumResult extends TrainBenchRun {
  readonly runtime: string;
}

/**
 * Measures webgpu, wasm and cpu on a Chromium page.
 * @throws Error when Chromium is missing at /usr/bin/chromium, a backend does not initialise
 *   (webgpu included: the page asserts tf.getBackend()), or the page fails.
 */
export async function benchThroughputChromium(packed: {
  chunks: readonly Uint8Array[];
  labels: readonly string[];
}): Promise<TrainChromiumResult> {
  const { server, origin } = await serve(await filesToServe(packed.chunks));
  const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: [...CHROMIUM_WEBGPU_ARGS] });
  try {
    const page = await browser.newPage();
    // The page's errors and warnings (TF.js says there why a backend did not initialise).
    const pageLog: string[] = [];
    page.on("pageerror", (e) => pageLog.push(`pageerror: ${e.message}`));
    page.on("console", (m) => {
      if (m.type() === "error" || m.type() === "warning") pageLog.push(`${m.type()}: ${m.text()}`);
    });
    await page.goto(origin);
    await page.waitForFunction(() => "cyxwizTrainBench" in globalThis, undefined, { timeout: 60_000 });
    const options: TrainBenchOptions = {
      chunkUrls: packed.chunks.map((_, i) => `/chunks/${i}`),
      labels: packed.labels,
      wasmPath: "/tfjs-wasm/",
      backends: ["webgpu", "wasm", "cpu"],
      steps: THROUGHPUT_STEPS,
      batchSize: BATCH_SIZE,
      warmupSteps: WARMUP_STEPS,
      repeats: THROUGHPUT_REPEATS,
      seed: SEED,
    };
    const run = await page
      .evaluate((o) => (globalThis as unknown as { cyxwizTrainBench: TrainBenchApi }).cyxwizTrainBench.run(o), options)
      .catch((e: unknown) => {
        throw new Error(`${e instanceof Error ? e.message : String(e)}\npage log:\n${pageLog.join("\n")}`);
      });
    if (pageLog.length > 0) console.warn(`page log:\n${pageLog.join("\n")}`);
    return { runtime: `chromium ${browser.version()}`, ...run };
  } finally {
    await browser.close();
    await new Promise((resolve) => server.close(resolve));
  }
}

const invokedAsScript = process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href;
if (invokedAsScript) {
  const { mnistPacked } = await import("./train-node.js");
  const r = await benchThroughputChromium(await mnistPacked());
  console.log(JSON.stringify(r, null, 2));
}
