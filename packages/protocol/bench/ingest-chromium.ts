/**
 * Ingest and verify throughput inside headless Chromium with the web primitives (crypto.subtle
 * AES-256-GCM + SHA-256, hash-wasm CRC-32), beside the browser's native ceiling measured in the
 * same run over the same bytes: in a dedicated Web Worker (where the dashboard runs its
 * pipeline) and on the page's main thread. Writes bench/results/ingest-chromium.json.
 *
 * How: esbuild bundles bench/ingest-browser-entry.ts; a node:http server on 127.0.0.1 (a secure
 * context, so crypto.subtle exists) serves it; Playwright drives Debian's /usr/bin/chromium
 * (never a downloaded browser, MACHINE-NOTES) and awaits the page's result. Nothing is uploaded,
 * so Playwright's slowing of request bodies (MACHINE-NOTES) does not touch these figures.
 *
 * Run alone: `cd packages/protocol && node --import tsx bench/ingest-chromium.ts`
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { availableParallelism } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { build } from "esbuild";
import { chromium } from "playwright-core";
import { CHROMIUM_ARGS, CHROMIUM_PATH } from "../../../test-support/chromium.js";
import type { BrowserIngestOptions, BrowserIngestRun, IngestBenchApi } from "./ingest-browser-entry.js";
import { writeResult } from "./write-result.js";

const ENTRY = fileURLToPath(new URL("./ingest-browser-entry.ts", import.meta.url));

/** Where to measure. The Worker is the dashboard's case; the page is the cheap second look. */
export type BrowserPlace = BrowserIngestRun["where"];

/** The results file: the Worker run's figures at the top (the shape of ingest-node.json), every run in `runs`. */
export interface ChromiumIngestResult extends BrowserIngestRun {
  readonly runtime: string;
  readonly runs: readonly BrowserIngestRun[];
}

/** Bundles the browser entry into memory: one ESM file plus lazily loaded chunks (codecs). */
async function bundle(): Promise<Map<string, Uint8Array>> {
  const out = await build({
    entryPoints: { "ingest-browser-entry": ENTRY },
    bundle: true,
    platform: "browser",
    format: "esm",
    target: "es2022",
    splitting: true, // the codec registry's dynamic imports stay separate files, never fetched here
    outdir: "/bench-bundle", // virtual: write is false
    write: false,
    minify: false,
    sourcemap: false,
    logLevel: "warning",
  });
  const files = new Map<string, Uint8Array>();
  for (const f of out.outputFiles) files.set(`/${f.path.slice("/bench-bundle/".length)}`, f.contents);
  return files;
}

const PAGE = `<!doctype html><meta charset="utf-8"><title>cyxwiz ingest bench</title>
<script type="module" src="/ingest-browser-entry.js"></script>`;

/** Serves the page and the bundle on 127.0.0.1, port chosen by the OS. */
async function serve(files: Map<string, Uint8Array>): Promise<{ server: Server; origin: string }> {
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? "/", "http://127.0.0.1").pathname;
    if (path === "/") {
      res.writeHead(200, { "content-type": "text/html; charset=utf-8", "cache-control": "no-store" });
      res.end(PAGE);
      return;
    }
    const body = files.get(path);
    if (body === undefined) {
      res.writeHead(404, { "content-type": "text/plain" });
      res.end("not found");
      return;
    }
    res.writeHead(200, { "content-type": "text/javascript; charset=utf-8", "cache-control": "no-store" });
    res.end(body);
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", resolve);
  });
  const { port } = server.address() as AddressInfo;
  return { server, origin: `http://127.0.0.1:${port}` };
}

/**
 * Runs the benchmark in Chromium: a Worker run, then (unless `places` says otherwise) a page run,
 * each with freshly generated data; writes ingest-chromium.json and returns what it wrote.
 *
 * @throws Error when Chromium is not installed at /usr/bin/chromium or a run fails in the browser.
 */
export async function benchIngestChromium(
  totalMiB = 256,
  chunkSize = 4 * 1024 * 1024,
  places: readonly BrowserPlace[] = ["worker", "page"],
  repeats = 3,
  sealers = availableParallelism(),
): Promise<ChromiumIngestResult> {
  const files = await bundle();
  const { server, origin } = await serve(files);
  const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: [...CHROMIUM_ARGS] });
  try {
    const page = await browser.newPage();
    const pageErrors: string[] = [];
    page.on("pageerror", (e) => pageErrors.push(e.message));
    await page.goto(origin);
    await page.waitForFunction(() => "cyxwizIngestBench" in globalThis, undefined, { timeout: 30_000 });
    const runs: BrowserIngestRun[] = [];
    for (const where of places) {
      const options: BrowserIngestOptions = { totalMiB, chunkSize, repeats, sealers };
      const run = await page.evaluate(
        ([w, o]) => {
          const api = (globalThis as unknown as { cyxwizIngestBench: IngestBenchApi }).cyxwizIngestBench;
          return w === "worker" ? api.inWorker(o) : api.inPage(o);
        },
        [where, options] as const,
      );
      runs.push(run);
    }
    if (pageErrors.length > 0) throw new Error(`page errors: ${pageErrors.join("; ")}`);
    const first = runs[0];
    if (first === undefined) throw new RangeError("places must name at least one of worker, page");
    const result: ChromiumIngestResult = { runtime: `chromium ${browser.version()}`, ...first, runs };
    await writeResult("ingest-chromium", { ...result });
    return result;
  } finally {
    await browser.close();
    await new Promise((resolve) => server.close(resolve));
  }
}

/** Prints one Chromium result the way printIngest prints Node's. */
export function printIngestChromium(r: ChromiumIngestResult): void {
  const f = (x: number) => x.toFixed(0).padStart(6);
  for (const run of r.runs) {
    console.log(
      `${r.runtime} ${run.where} (${run.primitives}), ${run.totalBytes / 2 ** 20} MiB in ${run.chunkSize / 2 ** 20} MiB chunks, no compression`,
    );
    console.log(`  native ceiling (subtle AES-GCM + SHA-256) ${f(run.ceilingMBps)} MB/s`);
    console.log(
      `  ingest (chunk→encrypt→hash→frame)         ${f(run.ingestMBps)} MB/s  ${run.ingestRatio.toFixed(2)}x ceiling`,
    );
    console.log(
      `  ${`ingest, ${run.sealers} sealing workers`.padEnd(42)}${f(run.pooledIngestMBps)} MB/s  ${run.pooledIngestRatio.toFixed(2)}x ceiling`,
    );
    console.log(
      `  verify (decode→hash→decrypt)              ${f(run.verifyMBps)} MB/s  ${run.verifyRatio.toFixed(2)}x ceiling`,
    );
    console.log(
      `  ${`native ceiling in ${run.smallCallSize / 1024} KiB calls`.padEnd(42)}${f(run.smallCallCeilingMBps)} MB/s  ${run.smallCallRatio.toFixed(2)}x ceiling (what a ${run.chunkSize / 2 ** 20} MiB call costs Web Crypto)`,
    );
  }
}

const invokedAsScript = process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href;
if (invokedAsScript) {
  printIngestChromium(await benchIngestChromium());
  console.log(
    `wrote ${join(fileURLToPath(new URL("../../../bench/results/", import.meta.url)), "ingest-chromium.json")}`,
  );
}
