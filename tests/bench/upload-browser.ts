/**
 * Upload throughput from a browser, in one run on loopback (issue 3): CyxWiz (`@cyxwiz/client`'s
 * `createUploadSession` in a dedicated Web Worker, AES-256-GCM, 4 MiB chunks, Public, no
 * compression, the gateway verifying FCS and SHA-256 and storing every chunk durably) beside two
 * baselines over the same disk-backed File: tus-js-client → @tus/server + @tus/file-store (4 MiB
 * PATCHes, no crypto), and one plain `fetch` PUT into a sink that discards the bytes. Prints them
 * side by side with ratios and writes bench/results/upload-browser.json.
 *
 * How:
 * - The gateway is a child process, its real entry point (`node --import tsx
 *   apps/gateway/src/main.ts`, which calls `buildGateway`), with an embedded PGlite and a fresh
 *   data directory, under `--cpu-prof` and with gateway-stage-clock.ts loaded (wall time of its
 *   hashing, file calls, PGlite, GC and frame-to-ack per chunk); both are summarised over the
 *   CyxWiz uploads only.
 * - This process serves the page and the esbuild bundles (page + Worker, platform browser, so
 *   `@cyxwiz/protocol/primitives` is crypto.subtle), the command channel (`/cmd`, `/result`),
 *   the tus server (`/files`), the PUT sink (`/sink`), and forwards the Connect RPCs (a handful per
 *   upload) to the gateway, which sends no CORS headers; the frames WebSocket goes straight to the
 *   gateway.
 * - Chromium (`/usr/bin/chromium --headless`) is spawned without Playwright or DevTools: with
 *   them attached every WebSocket frame and request body is reported back, capping uploads at
 *   ~93 MB/s (MACHINE-NOTES). The page writes the test data into the Origin Private File System
 *   and uploads `handle.getFile()`, a disk-backed File.
 * - Rounds are interleaved (CyxWiz, tus, PUT, order rotated each round) after one 64 MiB warm-up
 *   of each, so a burst of other work on the 2 shared cores hits all three alike.
 * - Where the time goes: the Worker times every stage of every chunk (upload-worker.ts); every
 *   upload is charged the CPU time of Chromium, the gateway and this process (/proc), since client
 *   and server share the 2 cores; then the client half alone (File reads, packing) and a Node
 *   client into the same gateway (the gateway's intake when the client is not the limit).
 * - Memory: peak VmRSS (sampled every 100 ms) and VmHWM (reset before each upload through
 *   /proc/PID/clear_refs) of the Chromium renderer and the gateway during every upload; with
 *   CYXWIZ_BENCH_BIG=1 also a 2 GiB CyxWiz upload.
 *
 * Run: `node --import tsx tests/bench/upload-browser.ts` at the repository root (also part of
 * `npm run bench`). Environment: CYXWIZ_BENCH_MIB (default 512) per upload, CYXWIZ_BENCH_ROUNDS
 * (default 3), CYXWIZ_BENCH_BIG=1 for the 2 GiB memory run, CYXWIZ_BENCH_INSTRUMENT=1 to run the
 * gateway under the profiler and the stage clock (where its time goes; they cost it ~2 ms of CPU
 * per MB, so the default run leaves them out), CYXWIZ_BENCH_GATEWAY_IMPORT=a.ts,b.ts to load
 * more modules into the gateway child before it starts (to try a change without editing it).
 */
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { createWriteStream, existsSync } from "node:fs";
import { mkdir, mkdtemp, open, readdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import { createServer, type IncomingMessage, request, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { connectGateway as connectNodeGateway, createUploadSession as createNodeUploadSession } from "@cyxwiz/client";
import { bytesByteSource } from "@cyxwiz/protocol/chunk";
import { loadPrimitives } from "@cyxwiz/protocol/primitives";
import { FileStore } from "@tus/file-store";
import { Server as TusServer } from "@tus/server";
import { build } from "esbuild";
import { GATEWAY_NODE_FLAGS } from "../../apps/gateway/src/node-flags.js";
import { CHROMIUM_ARGS, CHROMIUM_PATH } from "../../test-support/chromium.js";
import { type CpuProfileSummary, summariseCpuProfile, type TimeWindow } from "./cpu-profile-summary.js";
import { type GatewayStages, summariseGatewayStages } from "./gateway-stage-summary.js";
import { cpuSpent, cpuTimes } from "./process-cpu.js";
import { chromiumRole, commandLine, descendants, type PeakMemory, samplePeaks } from "./process-memory.js";
import type { BenchCommand, BenchReply, NumberedCommand, PrepareRun, UploadRun } from "./upload-messages.js";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const MIB = 1024 * 1024;
const WARMUP_BYTES = 64 * MIB;
const BIG_BYTES = 2048 * MIB;
/** The issue's goal: CyxWiz at least as fast as tus at the same chunk size. */
const GOAL_RATIO = 1.0;

type Method = "cyxwiz" | "tus" | "put";
const METHODS: readonly Method[] = ["cyxwiz", "tus", "put"];

function positiveInteger(name: string, fallback: number): number {
  const text = process.env[name];
  if (text === undefined || text === "") return fallback;
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`${name} must be a positive integer, got ${text}`);
  return n;
}

/** Plaintext bytes per chunk for every method (tus's chunkSize too): 4 MiB unless CYXWIZ_BENCH_CHUNK_KIB. */
const CHUNK_SIZE = positiveInteger("CYXWIZ_BENCH_CHUNK_KIB", 4096) * 1024;
const chunkLabel = (bytes: number) => (bytes % MIB === 0 ? `${bytes / MIB} MiB` : `${bytes / 1024} KiB`);
/** Results of the default chunk size in upload-browser.json; of another beside it, named for it. */
const RESULTS = join(
  ROOT,
  "bench",
  "results",
  CHUNK_SIZE === 4 * MIB ? "upload-browser.json" : `upload-browser-${CHUNK_SIZE / 1024}KiB.json`,
);

const load = () => loadavg().map((l) => Number(l.toFixed(2)));
const uptime = () => {
  try {
    return execFileSync("uptime", { encoding: "utf8" }).trim();
  } catch {
    return `load average: ${load().join(", ")}`;
  }
};
const monotonicUs = () => Number(process.hrtime.bigint() / 1000n);

// ---------------------------------------------------------------------------------------------
// Child processes: every one is recorded here and ended in `stopChildren`, on success or failure.

const children: Array<{ readonly name: string; readonly child: ChildProcess; readonly group: boolean }> = [];

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once("exit", () => resolve()));
}

/** SIGTERM to each child (Chromium: its whole process group), SIGKILL to any still alive after 5 s. */
async function stopChildren(): Promise<void> {
  const kill = (pid: number, signal: NodeJS.Signals) => {
    try {
      process.kill(pid, signal);
    } catch {
      // already gone
    }
  };
  for (const { child, group } of children.splice(0).reverse()) {
    if (child.pid === undefined) continue;
    const pid = child.pid;
    const leftovers = group ? await descendants(pid) : [];
    kill(group ? -pid : pid, "SIGTERM");
    const timer = setTimeout(() => {
      kill(group ? -pid : pid, "SIGKILL");
      for (const d of leftovers) kill(d, "SIGKILL");
    }, 5000);
    await exited(child);
    clearTimeout(timer);
    for (const d of leftovers) kill(d, "SIGKILL"); // a descendant that left the group
  }
}

// ---------------------------------------------------------------------------------------------
// The browser bundle: page + Worker, served from memory.

async function bundle(): Promise<Map<string, Uint8Array>> {
  const here = fileURLToPath(new URL(".", import.meta.url));
  const out = await build({
    entryPoints: { "upload-page": join(here, "upload-page.ts"), "upload-worker": join(here, "upload-worker.ts") },
    bundle: true,
    platform: "browser",
    format: "esm",
    target: "es2022",
    splitting: true, // the codec registry's dynamic imports stay separate files, never fetched here
    outdir: "/upload-bench", // virtual: write is false
    write: false,
    minify: false,
    sourcemap: false,
    logLevel: "warning",
  });
  const files = new Map<string, Uint8Array>();
  for (const f of out.outputFiles) files.set(`/${f.path.slice("/upload-bench/".length)}`, f.contents);
  return files;
}

const PAGE = `<!doctype html><meta charset="utf-8"><title>cyxwiz upload bench</title>
<script type="module" src="/upload-page.js"></script>`;

// ---------------------------------------------------------------------------------------------
// The driver's HTTP server: page, command channel, tus, PUT sink, RPC forwarding.

interface BenchServer {
  readonly server: Server;
  readonly origin: string;
  /** Sends one command to the page's Worker; resolves with its reply's value. */
  command<T>(cmd: BenchCommand, timeoutMs: number): Promise<T>;
  /** Resolves when the page first asks for a command. */
  readonly pageReady: Promise<void>;
  quit(): void;
  readonly pageLog: string[];
}

async function startBenchServer(
  files: Map<string, Uint8Array>,
  tus: TusServer,
  gatewayPort: () => number,
): Promise<BenchServer> {
  let nextId = 1;
  const queue: Array<NumberedCommand | { op: "quit" }> = [];
  let poller: { res: ServerResponse; timer: NodeJS.Timeout } | undefined;
  const waiting = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  const pageLog: string[] = [];
  let markReady: () => void = () => {};
  const pageReady = new Promise<void>((resolve) => {
    markReady = resolve;
  });
  const json = (res: ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, { "content-type": "application/json", "cache-control": "no-store" });
    res.end(JSON.stringify(body));
  };
  const flush = () => {
    if (poller === undefined || queue.length === 0) return;
    const { res, timer } = poller;
    poller = undefined;
    clearTimeout(timer);
    json(res, 200, queue.shift());
  };
  const body = async (req: IncomingMessage) => {
    const parts: Buffer[] = [];
    for await (const p of req) parts.push(p as Buffer);
    return Buffer.concat(parts).toString("utf8");
  };

  const forward = (req: IncomingMessage, res: ServerResponse) => {
    const upstream = request(
      { host: "127.0.0.1", port: gatewayPort(), method: req.method, path: req.url, headers: req.headers },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on("error", (e) => {
      if (!res.headersSent) res.writeHead(502, { "content-type": "text/plain" });
      res.end(`gateway unreachable: ${e.message}`);
    });
    req.pipe(upstream);
  };

  const server = createServer((req, res) => {
    const path = new URL(req.url ?? "/", "http://127.0.0.1").pathname;
    if (path === "/files" || path.startsWith("/files/")) {
      void tus.handle(req, res);
      return;
    }
    if (path === "/sink" && req.method === "PUT") {
      let bytes = 0;
      req.on("data", (chunk: Buffer) => {
        bytes += chunk.length;
      });
      req.on("end", () => json(res, 200, { bytes }));
      return;
    }
    if (path.startsWith("/cyxwiz.")) {
      forward(req, res); // Connect RPCs: /cyxwiz.data.v1.DatasetService/…
      return;
    }
    if (path === "/cmd" && req.method === "GET") {
      markReady();
      if (poller !== undefined) json(poller.res, 200, { op: "wait" });
      const timer = setTimeout(() => {
        if (poller?.res === res) poller = undefined;
        json(res, 200, { op: "wait" });
      }, 15_000);
      timer.unref(); // a poll the page left open never holds this process
      poller = { res, timer };
      flush();
      return;
    }
    if (path === "/result" && req.method === "POST") {
      void body(req).then((text) => {
        json(res, 200, { ok: true });
        const reply = JSON.parse(text) as BenchReply;
        const w = waiting.get(reply.id);
        waiting.delete(reply.id);
        if (reply.ok) w?.resolve(reply.value);
        else w?.reject(new Error(`the page's Worker failed command ${reply.id}: ${reply.error}`));
      });
      return;
    }
    if (path === "/log" && req.method === "POST") {
      void body(req).then((text) => {
        pageLog.push(text);
        process.stderr.write(`[page] ${text}\n`);
        json(res, 200, { ok: true });
      });
      return;
    }
    if (path === "/" || path === "/bench.html") {
      res.writeHead(200, { "content-type": "text/html; charset=utf-8", "cache-control": "no-store" });
      res.end(PAGE);
      return;
    }
    const file = files.get(path);
    if (file !== undefined) {
      res.writeHead(200, { "content-type": "text/javascript; charset=utf-8", "cache-control": "no-store" });
      res.end(file);
      return;
    }
    json(res, 404, { error: `no ${path}` });
  });
  // Bodies of a few GiB arrive at the sink and tus: no request timeout.
  server.requestTimeout = 0;
  server.headersTimeout = 60_000;
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", resolve);
  });
  const { port } = server.address() as AddressInfo;
  return {
    server,
    origin: `http://127.0.0.1:${port}`,
    pageReady,
    pageLog,
    command<T>(cmd: BenchCommand, timeoutMs: number): Promise<T> {
      const id = nextId++;
      return new Promise<T>((resolve, reject) => {
        const timer = setTimeout(() => {
          waiting.delete(id);
          reject(new Error(`command ${id} (${cmd.op}) got no answer within ${Math.round(timeoutMs / 1000)} s`));
        }, timeoutMs);
        waiting.set(id, {
          resolve: (v) => {
            clearTimeout(timer);
            resolve(v as T);
          },
          reject: (e) => {
            clearTimeout(timer);
            reject(e);
          },
        });
        queue.push({ ...cmd, id } as NumberedCommand);
        flush();
      });
    },
    quit() {
      queue.push({ op: "quit" });
      flush();
    },
  };
}

// ---------------------------------------------------------------------------------------------
// The gateway child.

interface GatewayChild {
  readonly child: ChildProcess;
  readonly port: number;
  readonly token: string;
  readonly dataDir: string;
  readonly profileDir: string | undefined;
  /** Where gateway-stage-clock.ts writes its timings when the gateway exits. */
  readonly stageClock: string | undefined;
}

async function startGateway(work: string, instrument: boolean, extraImports: readonly string[]): Promise<GatewayChild> {
  const dataDir = join(work, "gateway-data");
  const profileDir = instrument ? join(work, "gateway-profile") : undefined;
  const stageClock = instrument ? join(work, "gateway-stage-clock.json") : undefined;
  const args = [
    ...GATEWAY_NODE_FLAGS, // as `npm start` runs it
    ...(profileDir === undefined ? [] : ["--cpu-prof", "--cpu-prof-dir", profileDir]),
    "--import",
    "tsx",
    // Extra modules first: the stage clock then times whatever they put in place.
    ...extraImports.flatMap((path) => ["--import", path]),
    ...(instrument ? ["--import", fileURLToPath(new URL("./gateway-stage-clock.ts", import.meta.url))] : []),
    join(ROOT, "apps", "gateway", "src", "main.ts"),
  ];
  const child = spawn(process.execPath, args, {
    cwd: ROOT,
    env: {
      ...process.env,
      PORT: "0",
      HOST: "127.0.0.1",
      CYXWIZ_DATA_DIR: dataDir,
      LOG_LEVEL: "warn",
      ...(stageClock === undefined ? {} : { CYXWIZ_BENCH_GATEWAY_CLOCK: stageClock }),
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  children.push({ name: "gateway", child, group: false });
  const log = createWriteStream(join(work, "gateway.log"));
  child.stderr!.pipe(log);
  const port = await new Promise<number>((resolve, reject) => {
    let seen = "";
    const timer = setTimeout(() => reject(new Error(`the gateway did not start within 60 s: ${seen}`)), 60_000);
    child.stdout!.on("data", (d: Buffer) => {
      seen += d.toString();
      const m = /Open http:\/\/127\.0\.0\.1:(\d+)\//.exec(seen);
      if (m !== null) {
        clearTimeout(timer);
        resolve(Number(m[1]));
      }
    });
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`the gateway exited with ${code} before listening; see ${join(work, "gateway.log")}: ${seen}`));
    });
  });
  child.stdout!.resume();
  const token = (await readFile(join(dataDir, "admin-token"), "utf8")).trim();
  return { child, port, token, dataDir, profileDir, stageClock };
}

// ---------------------------------------------------------------------------------------------
// Chromium, with no automation attached.

async function startChromium(work: string, url: string): Promise<ChildProcess> {
  const profile = join(work, "chromium-profile");
  await mkdir(profile, { recursive: true });
  const child = spawn(
    CHROMIUM_PATH,
    ["--headless", ...CHROMIUM_ARGS, `--user-data-dir=${profile}`, url],
    { stdio: ["ignore", "ignore", "pipe"], detached: true }, // its own process group, ended as one
  );
  children.push({ name: "chromium", child, group: true });
  child.stderr!.pipe(createWriteStream(join(work, "chromium.log")));
  return child;
}

/** The Chromium processes to watch: every descendant of the browser, with its role. */
async function chromiumProcesses(browserPid: number) {
  const pids = [browserPid, ...(await descendants(browserPid))];
  const out: Array<{ pid: number; role: string }> = [];
  for (const pid of pids) {
    const role = chromiumRole(await commandLine(pid));
    if (role === "renderer" || role === "browser" || role.startsWith("utility:network")) out.push({ pid, role });
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// The disk under the gateway: what a durable chunk costs beside a plain write (what tus does).

interface DiskCost {
  /** Median ms to write 4 MiB without fsync (what @tus/file-store does per PATCH). */
  readonly writeMs: number;
  /** Median ms for one chunk as the gateway's blob store stores it: write, fsync, rename, fsync the directory. */
  readonly durableMs: number;
  /** MB/s of durable chunks stored one at a time, and 4 at a time (I/O waits overlapping). */
  readonly durableSerialMBps: number;
  readonly durableFourAtATimeMBps: number;
}

async function diskCost(dir: string, n = 16): Promise<DiskCost> {
  await mkdir(join(dir, "shard"), { recursive: true });
  const bytes = randomBytes(CHUNK_SIZE);
  const median = (xs: number[]) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;
  let seq = 0;
  const durable = async () => {
    const i = seq++;
    const temp = join(dir, `temp-${i}`);
    const h = await open(temp, "wx");
    await h.writeFile(bytes);
    await h.sync();
    await h.close();
    await rename(temp, join(dir, "shard", `blob-${i}`));
    const d = await open(join(dir, "shard"), "r");
    await d.sync();
    await d.close();
  };
  const plainMs: number[] = [];
  const durableMs: number[] = [];
  for (let i = 0; i < n; i++) {
    let t = performance.now();
    await writeFile(join(dir, `plain-${i}`), bytes);
    plainMs.push(performance.now() - t);
    t = performance.now();
    await durable();
    durableMs.push(performance.now() - t);
  }
  const rate = async (parallel: number) => {
    const t = performance.now();
    let left = 2 * n;
    await Promise.all(
      Array.from({ length: parallel }, async () => {
        while (left-- > 0) await durable();
      }),
    );
    return Math.round((2 * n * CHUNK_SIZE) / 1e6 / ((performance.now() - t) / 1000));
  };
  const durableSerialMBps = await rate(1);
  const durableFourAtATimeMBps = await rate(4);
  await rm(dir, { recursive: true, force: true });
  const r = (x: number) => Math.round(x * 10) / 10;
  return { writeMs: r(median(plainMs)), durableMs: r(median(durableMs)), durableSerialMBps, durableFourAtATimeMBps };
}

// ---------------------------------------------------------------------------------------------
// A Node client to the same gateway: what the gateway takes in when the client is not the limit.

async function nodeUpload(baseUrl: string, token: string, data: Uint8Array, name: string): Promise<UploadRun> {
  const session = createNodeUploadSession({
    clients: connectNodeGateway({ baseUrl, token }),
    primitives: await loadPrimitives(),
    source: bytesByteSource(data),
    name,
    chunkSize: CHUNK_SIZE,
    compression: "none",
    encrypt: true,
  });
  const t0 = performance.now();
  const done = await session.run();
  const ms = performance.now() - t0;
  return {
    op: "node-cyxwiz",
    bytes: data.length,
    chunkSize: CHUNK_SIZE,
    ms: r1(ms),
    mbPerSecond: r1(data.length / 1e6 / (ms / 1000)),
    detail: { ref: done.version.ref, framesSent: done.framesSent },
  };
}

// ---------------------------------------------------------------------------------------------
// Figures.

interface MethodRun extends UploadRun {
  readonly round: number;
  readonly memory: MemoryPeaks;
  readonly cpu: CpuCost;
}

/**
 * CPU time an upload cost, ms, from /proc: Chromium (every process: renderer with the Worker and
 * WebCrypto threads, network service, browser), the gateway child, and this process (the tus
 * server and the PUT sink run here; for CyxWiz it only forwards a few RPCs). Both cores are
 * shared by client and server on loopback, so 2 cores / (ms per MB) bounds the throughput.
 */
interface CpuCost {
  readonly chromiumMs: number;
  /** Chromium's share by process: renderer (page, Worker, WebCrypto), browser, utility:network.mojom.NetworkService, … */
  readonly chromiumByRole: Readonly<Record<string, number>>;
  readonly gatewayMs: number;
  readonly benchProcessMs: number;
  readonly totalMs: number;
  readonly msPerMB: number;
}

function cpuOf(
  chromiumMs: number,
  chromiumByRole: Record<string, number>,
  gatewayMs: number,
  benchProcessMs: number,
  bytes: number,
): CpuCost {
  const totalMs = chromiumMs + gatewayMs + benchProcessMs;
  return {
    chromiumMs: Math.round(chromiumMs),
    chromiumByRole: Object.fromEntries(Object.entries(chromiumByRole).map(([k, v]) => [k, Math.round(v)])),
    gatewayMs: Math.round(gatewayMs),
    benchProcessMs: Math.round(benchProcessMs),
    totalMs: Math.round(totalMs),
    msPerMB: Math.round((totalMs / (bytes / 1e6)) * 100) / 100,
  };
}

interface MemoryPeaks {
  /** The largest renderer's peak (the page and its Worker run in one renderer), MiB. */
  readonly rendererPeakMiB: number;
  readonly gatewayPeakMiB: number | null;
  readonly processes: ReadonlyArray<PeakMemory & { readonly name: string }>;
}

const mib = (kib: number) => Math.round((kib / 1024) * 10) / 10;

function memoryOf(peaks: readonly PeakMemory[], gatewayPid: number): MemoryPeaks {
  const peak = (p: PeakMemory) => Math.max(p.peakRssKiB, Number.isFinite(p.hwmKiB) && p.hwmReset ? p.hwmKiB : 0);
  const renderers = peaks.filter((p) => p.role === "renderer");
  const gateway = peaks.find((p) => p.pid === gatewayPid);
  return {
    rendererPeakMiB: mib(Math.max(0, ...renderers.map(peak))),
    gatewayPeakMiB: gateway === undefined ? null : mib(peak(gateway)),
    processes: peaks.map((p) => ({ ...p, name: p.pid === gatewayPid ? "gateway" : `chromium ${p.role}` })),
  };
}

const median = (xs: readonly number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length === 0 ? 0 : s.length % 2 === 1 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};
const r1 = (x: number) => Math.round(x * 10) / 10;
const r2 = (x: number) => Math.round(x * 100) / 100;

function printTable(header: readonly string[], rows: readonly (readonly string[])[]): void {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((c) => (c[i] ?? "").length)));
  const line = (c: readonly string[]) =>
    `| ${c.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join(" | ")} |`;
  console.log(line(header));
  console.log(`|${widths.map((w, i) => (i === 0 ? `${"-".repeat(w + 2)}` : `${"-".repeat(w + 1)}:`)).join("|")}|`);
  for (const c of rows) console.log(line(c));
}

// ---------------------------------------------------------------------------------------------

async function main(): Promise<number> {
  const sizeMiB = positiveInteger("CYXWIZ_BENCH_MIB", 512);
  const rounds = positiveInteger("CYXWIZ_BENCH_ROUNDS", 3);
  const big = process.env.CYXWIZ_BENCH_BIG === "1";
  const profile = process.env.CYXWIZ_BENCH_INSTRUMENT === "1";
  const gatewayImports = (process.env.CYXWIZ_BENCH_GATEWAY_IMPORT ?? "").split(",").filter((p) => p !== "");
  const bytes = sizeMiB * MIB;
  if (!existsSync(CHROMIUM_PATH))
    throw new Error(`${CHROMIUM_PATH} is missing: apt-get install -y chromium (MACHINE-NOTES)`);
  const loadBefore = load();
  const uptimeBefore = uptime();
  console.log(`before: ${uptimeBefore}`);
  const command = [
    ...(process.env.CYXWIZ_BENCH_MIB === undefined ? [] : [`CYXWIZ_BENCH_MIB=${sizeMiB}`]),
    ...(process.env.CYXWIZ_BENCH_ROUNDS === undefined ? [] : [`CYXWIZ_BENCH_ROUNDS=${rounds}`]),
    ...(process.env.CYXWIZ_BENCH_CHUNK_KIB === undefined ? [] : [`CYXWIZ_BENCH_CHUNK_KIB=${CHUNK_SIZE / 1024}`]),
    ...(big ? ["CYXWIZ_BENCH_BIG=1"] : []),
    ...(profile ? ["CYXWIZ_BENCH_INSTRUMENT=1"] : []),
    ...(gatewayImports.length === 0 ? [] : [`CYXWIZ_BENCH_GATEWAY_IMPORT=${gatewayImports.join(",")}`]),
    "node --import tsx tests/bench/upload-browser.ts",
  ].join(" ");

  const work = await mkdtemp(join(tmpdir(), "cyxwiz-upload-bench-"));
  const tusDir = join(work, "tus-files");
  await mkdir(tusDir);
  const tus = new TusServer({ path: "/files", datastore: new FileStore({ directory: tusDir }) });
  let gateway: GatewayChild | undefined;
  let bench: BenchServer | undefined;
  const onSignal = (signal: NodeJS.Signals) => {
    void stopChildren()
      .then(() => rm(work, { recursive: true, force: true }))
      .finally(() => process.kill(process.pid, signal));
  };
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);
  try {
    const files = await bundle();
    bench = await startBenchServer(files, tus, () => gateway?.port ?? 0);
    gateway = await startGateway(work, profile, gatewayImports);
    const b = bench;
    const g = gateway;
    // The disk under the gateway's data directory, measured while nothing else runs yet.
    const disk = await diskCost(join(g.dataDir, "disk-probe"));
    const browser = await startChromium(work, `${b.origin}/bench.html`);
    const browserExit = exited(browser).then(() => {
      throw new Error(`Chromium exited (code ${browser.exitCode}); see ${join(work, "chromium.log")}`);
    });
    browserExit.catch(() => undefined);
    let loadTimer: NodeJS.Timeout | undefined;
    await Promise.race([
      b.pageReady,
      browserExit,
      new Promise((_, reject) => {
        loadTimer = setTimeout(() => reject(new Error("the page did not load within 60 s")), 60_000);
      }),
    ]).finally(() => clearTimeout(loadTimer));
    const chromiumVersion = execFileSync(CHROMIUM_PATH, ["--version"], { encoding: "utf8" }).trim();
    console.log(`${chromiumVersion}; gateway child pid ${g.child.pid} on 127.0.0.1:${g.port}; page ${b.origin}`);

    const uploadTimeout = (n: number) => 60_000 + (n / (5 * 1e6)) * 1000; // fails a stall, not a slow machine
    const ask = <T>(cmd: BenchCommand, timeoutMs: number) =>
      Promise.race([b.command<T>(cmd, timeoutMs), browserExit as Promise<never>]);
    const cyxwizWindows: TimeWindow[] = [];
    let datasetSeq = 0;
    const upload = async (method: Method, file: string, n: number, round: number): Promise<MethodRun> => {
      const cmd: BenchCommand =
        method === "cyxwiz"
          ? {
              op: "cyxwiz",
              file,
              bytes: n,
              chunkSize: CHUNK_SIZE,
              token: g.token,
              framesOrigin: `ws://127.0.0.1:${g.port}`,
              name: `upload-bench-${++datasetSeq}`,
            }
          : method === "tus"
            ? { op: "tus", file, bytes: n, chunkSize: CHUNK_SIZE, endpoint: `${b.origin}/files` }
            : { op: "put", file, bytes: n, chunkSize: CHUNK_SIZE, url: `${b.origin}/sink` };
      execFileSync("sync"); // every upload starts with no dirty pages left by the one before (tus does not fsync)
      const chromiumPids = [browser.pid!, ...(await descendants(browser.pid!))];
      const watched = [...(await chromiumProcesses(browser.pid!)), { pid: g.child.pid!, role: "gateway" }];
      const cpuBefore = { chromium: await cpuTimes(chromiumPids), gateway: await cpuTimes([g.child.pid!]) };
      const benchBefore = process.cpuUsage();
      const from = monotonicUs();
      const { value, peaks } = await samplePeaks(watched, () => ask<UploadRun>(cmd, uploadTimeout(n)));
      const benchCpu = process.cpuUsage(benchBefore);
      const chromiumAfter = await cpuTimes(chromiumPids);
      const byRole: Record<string, number> = {};
      for (const pid of chromiumPids) {
        const role = chromiumRole(await commandLine(pid));
        byRole[role] =
          (byRole[role] ?? 0) + cpuSpent(cpuBefore.chromium, new Map([[pid, chromiumAfter.get(pid) ?? 0]]));
      }
      const cpu = cpuOf(
        cpuSpent(cpuBefore.chromium, chromiumAfter),
        byRole,
        cpuSpent(cpuBefore.gateway, await cpuTimes([g.child.pid!])),
        (benchCpu.user + benchCpu.system) / 1000,
        n,
      );
      if (method === "cyxwiz" && round > 0) cyxwizWindows.push({ fromUs: from, toUs: monotonicUs() });
      if (method === "tus") for (const f of await readdir(tusDir)) await rm(join(tusDir, f), { force: true });
      return { ...value, round, memory: memoryOf(peaks, g.child.pid!), cpu };
    };

    console.log(`\nwriting ${sizeMiB} MiB of random bytes into the page's OPFS…`);
    const prepared = await ask<PrepareRun>({ op: "prepare", file: "data.bin", bytes }, uploadTimeout(bytes) * 2);
    console.log(`  ${prepared.ms} ms`);

    console.log(`warm-up: ${WARMUP_BYTES / MIB} MiB with each method`);
    for (const m of METHODS) await upload(m, "data.bin", Math.min(bytes, WARMUP_BYTES), 0);

    const runs: MethodRun[] = [];
    for (let round = 1; round <= rounds; round++) {
      const order = METHODS.map((_, i) => METHODS[(i + round - 1) % METHODS.length]!);
      for (const m of order) {
        const run = await upload(m, "data.bin", bytes, round);
        runs.push(run);
        console.log(
          `  round ${round} ${m.padEnd(6)} ${run.mbPerSecond.toFixed(0).padStart(5)} MB/s  (${run.ms.toFixed(0)} ms; renderer ≤ ${run.memory.rendererPeakMiB} MiB, gateway ≤ ${run.memory.gatewayPeakMiB} MiB)`,
        );
      }
    }

    // Diagnostics: the client half alone, then the gateway fed by a fast client (Node).
    const best = (xs: readonly UploadRun[]) => xs.reduce((a, c) => (c.mbPerSecond > a.mbPerSecond ? c : a));
    const diag = async (cmd: BenchCommand) => ask<UploadRun>(cmd, uploadTimeout(bytes));
    const readRuns: Record<string, UploadRun[]> = { "1": [], "3": [] };
    const packRuns: Record<string, UploadRun[]> = { "1": [], "3": [] };
    for (let i = 0; i < 2; i++) {
      for (const c of [1, 3]) {
        readRuns[c]!.push(await diag({ op: "read", file: "data.bin", bytes, chunkSize: CHUNK_SIZE, concurrency: c }));
        packRuns[c]!.push(await diag({ op: "pack", file: "data.bin", bytes, chunkSize: CHUNK_SIZE, ahead: c }));
      }
    }
    const readBest = { "1": best(readRuns["1"]!), "3": best(readRuns["3"]!) };
    const packBest = { "1": best(packRuns["1"]!), "3": best(packRuns["3"]!) };
    console.log(
      `client alone (best of 2): File reads ${readBest["1"].mbPerSecond.toFixed(0)} MB/s (1 at a time), ${readBest["3"].mbPerSecond.toFixed(0)} MB/s (3); ` +
        `pack ${packBest["1"].mbPerSecond.toFixed(0)} MB/s (1 ahead, as the session), ${packBest["3"].mbPerSecond.toFixed(0)} MB/s (3 ahead)`,
    );
    const nodeData = randomBytes(bytes);
    const nodeRuns: UploadRun[] = [];
    const nodeWindows: TimeWindow[] = [];
    const nodeCpu: Array<{ clientMsPerMB: number; gatewayMsPerMB: number }> = [];
    for (let i = 0; i < 2; i++) {
      execFileSync("sync");
      const gatewayBefore = await cpuTimes([g.child.pid!]);
      const clientBefore = process.cpuUsage();
      const from = monotonicUs();
      nodeRuns.push(await nodeUpload(`http://127.0.0.1:${g.port}`, g.token, nodeData, `upload-bench-node-${i}`));
      nodeWindows.push({ fromUs: from, toUs: monotonicUs() });
      const client = process.cpuUsage(clientBefore);
      nodeCpu.push({
        clientMsPerMB: r2((client.user + client.system) / 1000 / (bytes / 1e6)),
        gatewayMsPerMB: r2(cpuSpent(gatewayBefore, await cpuTimes([g.child.pid!])) / (bytes / 1e6)),
      });
    }
    const nodeBest = best(nodeRuns);
    console.log(
      `Node client (@cyxwiz/client, ws) → the same gateway: ${nodeRuns.map((r) => r.mbPerSecond.toFixed(0)).join(", ")} MB/s; CPU ms/MB client ${nodeCpu.map((c) => c.clientMsPerMB).join(", ")}, gateway ${nodeCpu.map((c) => c.gatewayMsPerMB).join(", ")}`,
    );

    let bigRun: MethodRun | undefined;
    if (big) {
      await ask({ op: "remove", file: "data.bin" }, 60_000);
      console.log(`\nwriting ${BIG_BYTES / MIB} MiB into OPFS for the memory run…`);
      await ask<PrepareRun>({ op: "prepare", file: "big.bin", bytes: BIG_BYTES }, uploadTimeout(BIG_BYTES) * 2);
      bigRun = await upload("cyxwiz", "big.bin", BIG_BYTES, -1);
      console.log(
        `  ${BIG_BYTES / MIB} MiB CyxWiz upload: ${bigRun.mbPerSecond.toFixed(0)} MB/s; peak renderer ${bigRun.memory.rendererPeakMiB} MiB, gateway ${bigRun.memory.gatewayPeakMiB} MiB`,
      );
      await ask({ op: "remove", file: "big.bin" }, 60_000);
    }

    b.quit();
    await new Promise((resolve) => setTimeout(resolve, 300));
    await stopChildren(); // the gateway writes its CPU profile as it exits
    let gatewayProfile: CpuProfileSummary | undefined;
    let gatewayProfileNode: CpuProfileSummary | undefined;
    if (g.profileDir !== undefined) {
      const prof = (await readdir(g.profileDir)).find((f) => f.endsWith(".cpuprofile"));
      if (prof !== undefined) {
        gatewayProfile = await summariseCpuProfile(join(g.profileDir, prof), cyxwizWindows);
        gatewayProfileNode = await summariseCpuProfile(join(g.profileDir, prof), nodeWindows);
      }
    }
    let gatewayStages: GatewayStages | undefined;
    let gatewayStagesNode: GatewayStages | undefined;
    if (g.stageClock !== undefined && existsSync(g.stageClock)) {
      gatewayStages = await summariseGatewayStages(g.stageClock, cyxwizWindows);
      gatewayStagesNode = await summariseGatewayStages(g.stageClock, nodeWindows);
    }
    const loadAfter = load();
    const uptimeAfter = uptime();

    // ---- figures ----
    const of = (m: Method) => runs.filter((r) => r.op === m);
    const stats = (m: Method) => {
      const rates = of(m).map((r) => r.mbPerSecond);
      return { runsMBps: rates, bestMBps: Math.max(...rates), medianMBps: r1(median(rates)) };
    };
    const s = { cyxwiz: stats("cyxwiz"), tus: stats("tus"), put: stats("put") };
    const perRound = (other: Method) =>
      Array.from({ length: rounds }, (_, i) => {
        const c = runs.find((r) => r.op === "cyxwiz" && r.round === i + 1)!;
        const o = runs.find((r) => r.op === other && r.round === i + 1)!;
        return r2(c.mbPerSecond / o.mbPerSecond);
      });
    const ratios = {
      cyxwizOverTus: {
        ofMedians: r2(s.cyxwiz.medianMBps / s.tus.medianMBps),
        ofBests: r2(s.cyxwiz.bestMBps / s.tus.bestMBps),
        perRound: perRound("tus"),
      },
      cyxwizOverPut: {
        ofMedians: r2(s.cyxwiz.medianMBps / s.put.medianMBps),
        ofBests: r2(s.cyxwiz.bestMBps / s.put.bestMBps),
        perRound: perRound("put"),
      },
    };
    const cyxwizRuns = of("cyxwiz");
    const medianCyxwiz = [...cyxwizRuns].sort((a, b) => a.mbPerSecond - b.mbPerSecond)[
      Math.floor(cyxwizRuns.length / 2)
    ]!;
    type CpuFigure = Exclude<keyof CpuCost, "chromiumByRole">;
    const cpuMedian = (m: Method, k: CpuFigure) => median(of(m).map((r) => r.cpu[k]));
    const cpuText = (m: Method) => {
      const perMB = (k: CpuFigure) => cpuMedian(m, k) / (bytes / 1e6);
      const server = m === "cyxwiz" ? perMB("gatewayMs") : perMB("benchProcessMs");
      return `${perMB("chromiumMs").toFixed(2)}+${server.toFixed(2)}`;
    };
    const cpuSummary = (m: Method) => ({
      chromiumMs: cpuMedian(m, "chromiumMs"),
      chromiumByRole: Object.fromEntries(
        [...new Set(of(m).flatMap((r) => Object.keys(r.cpu.chromiumByRole)))].map((role) => [
          role,
          median(of(m).map((r) => r.cpu.chromiumByRole[role] ?? 0)),
        ]),
      ),
      gatewayMs: cpuMedian(m, "gatewayMs"),
      benchProcessMs: cpuMedian(m, "benchProcessMs"),
      msPerMB: cpuMedian(m, "msPerMB"),
    });
    const memPeak = (m: Method, k: "rendererPeakMiB" | "gatewayPeakMiB") =>
      Math.max(...of(m).map((r) => r.memory[k] ?? 0));

    console.log(
      `\n== upload from Chromium (Worker), ${sizeMiB} MiB disk-backed File, ${chunkLabel(CHUNK_SIZE)} chunks, ${rounds} interleaved rounds, MB = 10^6 bytes ==`,
    );
    printTable(
      [
        "method",
        "runs MB/s",
        "median",
        "best",
        "CyxWiz / it (median)",
        "CPU ms/MB client+server",
        "renderer MiB",
        "gateway MiB",
      ],
      [
        ["CyxWiz (AES-256-GCM, verified, durable)", s.cyxwiz, "—", "cyxwiz"] as const,
        [
          "tus-js-client → @tus/server (file store)",
          s.tus,
          `${ratios.cyxwizOverTus.ofMedians.toFixed(2)}x`,
          "tus",
        ] as const,
        ["fetch PUT → sink", s.put, `${ratios.cyxwizOverPut.ofMedians.toFixed(2)}x`, "put"] as const,
      ].map(([label, st, ratio, m]) => [
        label,
        st.runsMBps.map((x) => x.toFixed(0)).join(", "),
        st.medianMBps.toFixed(0),
        st.bestMBps.toFixed(0),
        ratio,
        cpuText(m),
        memPeak(m, "rendererPeakMiB").toFixed(0),
        m === "cyxwiz" ? memPeak(m, "gatewayPeakMiB").toFixed(0) : "—",
      ]),
    );
    console.log(
      `CyxWiz / tus: ${ratios.cyxwizOverTus.ofMedians.toFixed(2)}x of medians, ${ratios.cyxwizOverTus.ofBests.toFixed(2)}x of bests, per round ${ratios.cyxwizOverTus.perRound.join(" ")}; goal ≥ ${GOAL_RATIO.toFixed(1)}x: ${ratios.cyxwizOverTus.ofMedians >= GOAL_RATIO ? "met" : "NOT met"}`,
    );
    console.log(
      `CyxWiz / PUT: ${ratios.cyxwizOverPut.ofMedians.toFixed(2)}x of medians, per round ${ratios.cyxwizOverPut.perRound.join(" ")}`,
    );
    for (const m of METHODS) {
      const c = cpuSummary(m);
      const mb = bytes / 1e6;
      const roles = Object.entries(c.chromiumByRole)
        .filter(([, ms]) => ms / mb >= 0.05)
        .map(
          ([role, ms]) => `${role.replace("utility:network.mojom.NetworkService", "network")} ${(ms / mb).toFixed(2)}`,
        )
        .join(", ");
      console.log(
        `CPU ms/MB ${m.padEnd(6)}: Chromium ${(c.chromiumMs / mb).toFixed(2)} (${roles}), gateway ${(c.gatewayMs / mb).toFixed(2)}, bench process ${(c.benchProcessMs / mb).toFixed(2)}; ` +
          `2 cores allow at most ${(2000 / c.msPerMB).toFixed(0)} MB/s`,
      );
    }
    const bd = medianCyxwiz.breakdown;
    if (bd !== undefined) {
      console.log(
        `\nWorker, median CyxWiz run (${medianCyxwiz.mbPerSecond.toFixed(0)} MB/s), per chunk (median ms; sum ms):`,
      );
      for (const [k, v] of Object.entries(bd.stages))
        console.log(`  ${k.padEnd(10)} ${v.medianMs.toFixed(2).padStart(7)}  ${v.totalMs.toFixed(0).padStart(6)}`);
      console.log(
        `  pack→send ${bd.packToSend.medianMs.toFixed(1)} ms, send→ack ${bd.sendToAck.medianMs.toFixed(1)} ms (p90 ${bd.sendToAck.p90Ms.toFixed(1)}), window ${bd.window}; ` +
          `${bd.sendsGatedByAck}/${bd.sendsAfterWindowFull} frames were packed before their slot freed (the sender waited on the gateway; slot→send median ${bd.slotToSend.medianMs.toFixed(1)} ms, framing included); ` +
          `setup ${bd.setupMs} ms, stream ${bd.streamMs} ms, commit ${bd.commitMs} ms`,
      );
      console.log(
        `  client alone: pack ${packBest["1"].mbPerSecond.toFixed(0)} MB/s (1 ahead), ${packBest["3"].mbPerSecond.toFixed(0)} MB/s (3 ahead); Node client → gateway ${nodeBest.mbPerSecond.toFixed(0)} MB/s`,
      );
    }
    if (gatewayProfile !== undefined) {
      console.log(
        `\ngateway main thread over the timed CyxWiz uploads (--cpu-prof, ${gatewayProfile.sampledMs.toFixed(0)} ms sampled):`,
      );
      for (const c of gatewayProfile.categories.slice(0, 12))
        console.log(
          `  ${c.category.padEnd(36)} ${c.ms.toFixed(0).padStart(7)} ms  ${(c.share * 100).toFixed(1).padStart(5)}%`,
        );
    }
    for (const [label, st] of [
      ["browser CyxWiz uploads", gatewayStages],
      ["Node-client uploads", gatewayStagesNode],
    ] as const) {
      if (st === undefined) continue;
      console.log(
        `gateway per frame over the ${label} (stage clock): ${st.msPerFrame} ms wall per frame (${st.frames} frames), arrival→ack median ${st.arrivalToAck.medianMs} ms`,
      );
      console.log(
        `  ${st.stages
          .slice(0, 12)
          .map((x) => `${x.kind} ${x.msPerFrame}`)
          .join("; ")}`,
      );
      console.log(`  event-loop delay p50 ${st.eventLoopDelay.p50Ms} ms, worst p99 ${st.eventLoopDelay.maxP99Ms} ms`);
    }
    console.log(
      `disk: 4 MiB write ${disk.writeMs} ms; write+fsync+rename+dir fsync ${disk.durableMs} ms (median of 16); durable chunks ${disk.durableSerialMBps} MB/s one at a time, ${disk.durableFourAtATimeMBps} MB/s four at a time`,
    );
    if (bigRun !== undefined)
      console.log(
        `2 GiB CyxWiz upload: ${bigRun.mbPerSecond.toFixed(0)} MB/s, renderer peak ${bigRun.memory.rendererPeakMiB} MiB, gateway peak ${bigRun.memory.gatewayPeakMiB} MiB`,
      );
    console.log(`after: ${uptimeAfter}`);

    await mkdir(join(ROOT, "bench", "results"), { recursive: true });
    const result = {
      name: "upload-browser",
      measuredAt: new Date().toISOString(),
      command,
      cpus: cpus().length,
      cpuModel: cpus()[0]?.model,
      node: process.version,
      chromium: chromiumVersion,
      loadAverage: { before: loadBefore, after: loadAfter },
      uptime: { before: uptimeBefore, after: uptimeAfter },
      setup: {
        fileBytes: bytes,
        chunkSize: CHUNK_SIZE,
        rounds,
        warmupBytes: WARMUP_BYTES,
        unit: "MB/s of file bytes, MB = 10^6 bytes, from the call that starts the upload to its end",
        browser:
          "headless Chromium spawned without Playwright/DevTools; every upload from one dedicated module Worker; the File is disk-backed (OPFS)",
        cyxwiz:
          "createUploadSession (@cyxwiz/client browser entry): AES-256-GCM, Public, compression none, crypto.subtle primitives; gateway verifies FCS + SHA-256 + sequence, stores each chunk content-addressed with fsync, records it in PGlite, acks; ends with CommitUpload",
        gateway: `child process: node ${GATEWAY_NODE_FLAGS.join(" ")} --import tsx apps/gateway/src/main.ts (buildGateway, as npm start runs it), PGlite, window from GetGatewayInfo${profile ? ", under --cpu-prof with gateway-stage-clock.ts" : ""}${gatewayImports.length === 0 ? "" : `, with ${gatewayImports.join(", ")} loaded first`}; RPCs forwarded by the bench server, frames WebSocket direct`,
        tus: `tus-js-client 4 (XHR) → @tus/server 2 + @tus/file-store (no fsync) in the bench process, chunkSize ${chunkLabel(CHUNK_SIZE)}`,
        put: "fetch(url, { method: 'PUT', body: file }) → node:http handler counting and discarding bytes, in the bench process",
      },
      results: s,
      ratios,
      cpu: {
        note: "median per method of CPU ms spent during the upload: Chromium (all processes), the gateway child, the bench process (tus server, PUT sink; RPC forwarding for CyxWiz); from /proc/PID/stat",
        cyxwiz: cpuSummary("cyxwiz"),
        tus: cpuSummary("tus"),
        put: cpuSummary("put"),
      },
      goal: { cyxwizOverTus: GOAL_RATIO, met: ratios.cyxwizOverTus.ofMedians >= GOAL_RATIO },
      breakdown: {
        worker: medianCyxwiz.breakdown,
        workerRun: { round: medianCyxwiz.round, mbPerSecond: medianCyxwiz.mbPerSecond },
        clientAlone: {
          note: "in the same Worker over the same File, nothing sent; best of 2",
          fileReadMBps: { oneAtATime: readBest["1"].mbPerSecond, threeAtATime: readBest["3"].mbPerSecond },
          packMBps: { aheadOne: packBest["1"].mbPerSecond, aheadThree: packBest["3"].mbPerSecond },
          packBreakdownAheadOne: packBest["1"].breakdown,
          packBreakdownAheadThree: packBest["3"].breakdown,
        },
        nodeClientToGateway: {
          note: "@cyxwiz/client Node entry (ws + node:crypto) in the bench process, bytes in memory, same gateway child, same options",
          runsMBps: nodeRuns.map((r) => r.mbPerSecond),
          bestMBps: nodeBest.mbPerSecond,
          cpu: nodeCpu,
        },
        gatewayCpuProfile: gatewayProfile ?? null,
        gatewayCpuProfileNodeClient: gatewayProfileNode ?? null,
        gatewayStages: gatewayStages ?? null,
        gatewayStagesNodeClient: gatewayStagesNode ?? null,
        disk,
      },
      memory: {
        note: "peak of sampled VmRSS (100 ms) and VmHWM reset before each upload (/proc/PID/clear_refs 5); MiB",
        perRun: runs.map((r) => ({ op: r.op, round: r.round, ...r.memory })),
        big:
          bigRun === undefined
            ? null
            : {
                bytes: BIG_BYTES,
                mbPerSecond: bigRun.mbPerSecond,
                ms: bigRun.ms,
                ...bigRun.memory,
                breakdown: bigRun.breakdown,
              },
      },
      runs: runs.map(({ memory: _memory, ...r }) => r),
      pageLog: b.pageLog,
    };
    await writeFile(RESULTS, `${JSON.stringify(result, null, 2)}\n`);
    console.log(`wrote ${RESULTS}`);
    return 0;
  } finally {
    await stopChildren();
    const closing = new Promise((resolve) => (bench === undefined ? resolve(undefined) : bench.server.close(resolve)));
    bench?.server.closeAllConnections();
    await closing;
    await rm(work, { recursive: true, force: true }).catch(() => undefined);
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
  }
}

process.exitCode = await main();
