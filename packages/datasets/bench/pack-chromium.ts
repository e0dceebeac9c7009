/**
 * Pack throughput inside headless Chromium: the measurements of bench/pack-node.ts on the page's
 * main thread, with the web primitives. Writes bench/results/pack-throughput-chromium.json.
 *
 * How (as packages/protocol/bench/ingest-chromium.ts): esbuild bundles
 * bench/pack-browser-entry.ts in memory; a node:http server on 127.0.0.1 (a secure context, so
 * crypto.subtle exists) serves it and the MNIST files; Playwright drives Debian's
 * /usr/bin/chromium (never a downloaded browser) and awaits the page's result.
 *
 * Run alone: `cd packages/datasets && node --import tsx bench/pack-chromium.ts`
 */
import { readFile } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { fileURLToPath, pathToFileURL } from "node:url";
import { build } from "esbuild";
import { chromium } from "playwright-core";
import { CHROMIUM_ARGS, CHROMIUM_PATH } from "../../../test-support/chromium.js";
import { MNIST_FILES, mnistPath } from "../../../test-support/datasets.js";
import { CHUNK_SIZE } from "./bench-inputs.js";
import { formatTable, loadAverage, writeResult } from "./bench-report.js";
import type { PackBenchApi, PackBenchOptions } from "./pack-browser-entry.js";
import type { PackThroughputRow } from "./pack-pipeline.js";

const ENTRY = fileURLToPath(new URL("./pack-browser-entry.ts", import.meta.url));

export interface PackChromiumResult {
  readonly runtime: string;
  readonly userAgent: string;
  readonly rows: readonly PackThroughputRow[];
}

/** Bundles the page entry into memory: one ESM file plus lazily loaded chunks (format readers). */
async function bundle(): Promise<Map<string, { body: Uint8Array; type: string }>> {
  const out = await build({
    entryPoints: { "pack-browser-entry": ENTRY },
    bundle: true,
    platform: "browser",
    format: "esm",
    target: "es2022",
    splitting: true,
    outdir: "/bench-bundle", // virtual: write is false
    write: false,
    minify: false,
    sourcemap: false,
    logLevel: "warning",
  });
  const files = new Map<string, { body: Uint8Array; type: string }>();
  for (const f of out.outputFiles)
    files.set(`/${f.path.slice("/bench-bundle/".length)}`, {
      body: f.contents,
      type: "text/javascript; charset=utf-8",
    });
  for (const k of ["images", "labels"] as const)
    files.set(`/mnist/${MNIST_FILES[k]}`, {
      body: new Uint8Array(await readFile(mnistPath(k))),
      type: "application/octet-stream",
    });
  return files;
}

const PAGE = `<!doctype html><meta charset="utf-8"><title>cyxwiz pack bench</title>
<script type="module" src="/pack-browser-entry.js"></script>`;

/** Serves the page, the bundle and the MNIST files on 127.0.0.1, port chosen by the OS. */
async function serve(
  files: Map<string, { body: Uint8Array; type: string }>,
): Promise<{ server: Server; origin: string }> {
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? "/", "http://127.0.0.1").pathname;
    if (path === "/") {
      res.writeHead(200, { "content-type": "text/html; charset=utf-8", "cache-control": "no-store" });
      res.end(PAGE);
      return;
    }
    const file = files.get(path);
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

/**
 * Measures every input on a Chromium page and writes pack-throughput-chromium.json.
 * @throws Error when Chromium is not installed at /usr/bin/chromium or the page fails.
 */
export async function benchPackChromium(repeats = { mnist: 5, csv: 3 }): Promise<PackChromiumResult> {
  const loadBefore = loadAverage();
  const { server, origin } = await serve(await bundle());
  const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: [...CHROMIUM_ARGS] });
  try {
    const page = await browser.newPage();
    const pageErrors: string[] = [];
    page.on("pageerror", (e) => pageErrors.push(e.message));
    await page.goto(origin);
    await page.waitForFunction(() => "cyxwizPackBench" in globalThis, undefined, { timeout: 30_000 });
    const options: PackBenchOptions = {
      mnist: (["images", "labels"] as const).map((k) => ({ path: MNIST_FILES[k], url: `/mnist/${MNIST_FILES[k]}` })),
      repeats,
      chunkSize: CHUNK_SIZE,
    };
    const run = await page.evaluate(
      (o) => (globalThis as unknown as { cyxwizPackBench: PackBenchApi }).cyxwizPackBench.run(o),
      options,
    );
    if (pageErrors.length > 0) throw new Error(`page errors: ${pageErrors.join("; ")}`);
    const result: PackChromiumResult = { runtime: `chromium ${browser.version()}`, ...run };
    await writeResult("pack-throughput-chromium", {
      command: "cd packages/datasets && npm run bench",
      chunkSize: CHUNK_SIZE,
      statistic: "median of the repeats",
      baseline: "the opaque pack (createChunker) of the same input bytes, with the same crypto",
      where: "the page's main thread",
      loadAverage: { before: loadBefore, after: loadAverage() },
      ...result,
    });
    return result;
  } finally {
    await browser.close();
    await new Promise((resolve) => server.close(resolve));
  }
}

const invokedAsScript = process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href;
if (invokedAsScript) {
  const r = await benchPackChromium();
  console.log(formatTable(r.rows.map((row) => ({ runtime: r.runtime, row }))));
}
