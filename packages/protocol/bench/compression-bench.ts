/**
 * Measures the candidate chunk-compression libraries (zstd, lz4, snappy) on 4 MiB chunks of three
 * kinds of data, in Node, one core: compress and decompress throughput (MB/s, MB = 10^6 bytes of
 * plain data) and ratio (plain / compressed bytes). The figures back the choice written in
 * docs/decisions.md; src/compress uses the chosen libraries.
 *
 * Run: `cd packages/protocol && node --import tsx bench/compression-bench.ts`
 * Writes: <repo>/bench/results/compression.json
 *
 * Candidates are loaded by name at run time, so a rejected candidate that is no longer installed
 * does not fail the run: its rows are carried over from the previous results file (with the date
 * they were measured), or reported as "not installed". To measure it again, install it without
 * saving (`npm i --no-save <pkg>` at the repo root).
 */
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { cpus } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { gunzipSync } from "node:zlib";
import { mnistPath } from "../../../test-support/datasets.js";
import { loadCodec } from "../src/compress/index.js";

const CHUNK_SIZE = 4 * 1024 * 1024;
const ZSTD_LEVEL = 1;
/** Each measurement repeats whole passes over the data until this much time has passed. */
const MIN_SECONDS = 1;
const MIN_PASSES = 3;

const here = dirname(fileURLToPath(import.meta.url));
const repoRoot = join(here, "..", "..", "..");

const resultsPath = join(repoRoot, "bench", "results", "compression.json");
const require = createRequire(import.meta.url);

type Codec = "zstd" | "lz4" | "snappy";

/** One candidate library, adapted to a common shape. `compress` is absent for decode-only ones. */
interface Candidate {
  readonly codec: Codec;
  readonly pkg: string;
  readonly note: string;
  /** The library src/compress uses for this codec. */
  readonly chosen?: true;
  load(): Promise<Adapter>;
}

interface Adapter {
  compress?(data: Uint8Array): Uint8Array;
  decompress(data: Uint8Array, size: number): Uint8Array;
  /** For decode-only libraries: produces the compressed input they are measured on. */
  reference?(data: Uint8Array): Uint8Array;
}

// Specifiers held in variables keep TypeScript from resolving packages that may be uninstalled;
// each call site states the shape it relies on.
const importByName = async <T>(name: string): Promise<T> => (await import(name)) as T;
const requireByName = <T>(name: string): T => require(name) as T;

type Codec1 = (data: Uint8Array) => Uint8Array;
type Codec2 = (data: Uint8Array, n: number) => Uint8Array;

async function hpccZstd(): Promise<{
  compress(d: Uint8Array, l: number): Uint8Array;
  decompress(d: Uint8Array): Uint8Array;
}> {
  type Hpcc = { Zstd: { load(): Promise<{ compress: Codec2; decompress: Codec1 }> } };
  const { Zstd } = await importByName<Hpcc>("@hpcc-js/wasm-zstd");
  return Zstd.load();
}

const candidates: readonly Candidate[] = [
  {
    codec: "zstd",
    pkg: "@hpcc-js/wasm-zstd",
    note: "ESM, wasm embedded in the JS (no fetch), but every result leaves the wasm heap through a JS array ([...view]), which caps it near 15-60 MB/s; decompress() allocates the header's content size",
    async load() {
      const z = await hpccZstd();
      return { compress: (d) => z.compress(d, ZSTD_LEVEL), decompress: (d) => z.decompress(d) };
    },
  },
  {
    codec: "zstd",
    pkg: "@bokuweb/zstd-wasm",
    chosen: true,
    note: "browser build fetches zstd.wasm via new URL(import.meta.url) (bundler must emit the asset); decompress() allocates the header's content size",
    async load() {
      const z = await importByName<{ init(): Promise<void>; compress: Codec2; decompress: Codec1 }>(
        "@bokuweb/zstd-wasm",
      );
      await z.init();
      return { compress: (d) => z.compress(d, ZSTD_LEVEL), decompress: (d) => z.decompress(d) };
    },
  },
  {
    codec: "zstd",
    pkg: "@foxglove/wasm-zstd",
    note: "CommonJS using Node's Buffer, emscripten fetches wasm-zstd.wasm beside the script: not usable in a browser bundle as is",
    async load() {
      const z = requireByName<{ isLoaded: Promise<unknown>; compress: Codec2; decompress: Codec2 }>(
        "@foxglove/wasm-zstd",
      );
      await z.isLoaded;
      return { compress: (d) => z.compress(d, ZSTD_LEVEL), decompress: (d, size) => z.decompress(d, size) };
    },
  },
  {
    codec: "zstd",
    pkg: "fzstd",
    note: "pure JS, decompress only (input compressed by @hpcc-js/wasm-zstd level 1)",
    async load() {
      const f = await importByName<{ decompress(data: Uint8Array, out: Uint8Array): Uint8Array }>("fzstd");
      const z = await hpccZstd();
      return {
        decompress: (d, size) => f.decompress(d, new Uint8Array(size)),
        reference: (d) => z.compress(d, ZSTD_LEVEL),
      };
    },
  },
  {
    codec: "lz4",
    pkg: "lz4js",
    chosen: true,
    note: "pure JS (CommonJS), LZ4 frame format; decompress(src, maxSize) writes into a buffer of maxSize",
    async load() {
      const l = requireByName<{ compress: Codec1; decompress: Codec2 }>("lz4js");
      return { compress: (d) => l.compress(d), decompress: (d, size) => l.decompress(d, size) };
    },
  },
  {
    codec: "lz4",
    pkg: "lz4-wasm-nodejs",
    note: "Node build of lz4-wasm (same Rust lz4_flex code); the browser package lz4-wasm imports its .wasm as an ES module, which needs a bundler wasm plugin; decompress() allocates the size prefix",
    async load() {
      const l = requireByName<{ compress: Codec1; decompress: Codec1 }>("lz4-wasm-nodejs");
      return { compress: (d) => l.compress(d), decompress: (d) => l.decompress(d) };
    },
  },
  {
    codec: "snappy",
    pkg: "snappyjs",
    note: "pure JS (CommonJS), raw Snappy; uncompress(src, maxLength) rejects a declared length above maxLength",
    async load() {
      const s = requireByName<{ compress: Codec1; uncompress: Codec2 }>("snappyjs");
      return { compress: (d) => s.compress(d), decompress: (d, size) => s.uncompress(d, size) };
    },
  },
  {
    codec: "snappy",
    pkg: "snappy-wasm",
    chosen: true,
    note: "Rust snap in wasm; ESM build fetches snappy_bg.wasm via new URL(import.meta.url), CommonJS build reads it with fs; decompress_raw() allocates the declared length",
    async load() {
      const s = requireByName<{ compress_raw: Codec1; decompress_raw: Codec1 }>("snappy-wasm");
      return { compress: (d) => s.compress_raw(d), decompress: (d) => s.decompress_raw(d) };
    },
  },
  ...(["zstd", "lz4", "snappy"] as const).map(
    (name): Candidate => ({
      codec: name,
      pkg: `@cyxwiz/protocol/compress ${name}`,
      note: "the chosen library behind the ChunkCodec API, including its bound checks (header, frame scan)",
      async load() {
        const c = await loadCodec(name);
        return {
          compress: (d) => c.compress(d),
          decompress(d, size) {
            const r = c.decompress(d, size);
            if (!r.ok) throw new Error(r.error.message);
            return r.value;
          },
        };
      },
    }),
  ),
];

/** A deterministic PRNG (mulberry32), so the CSV text is the same on every run. */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** CSV rows of the kind a tabular dataset holds: ids, timestamps, categories, floats, labels. */
function csvText(size: number): Uint8Array {
  const rand = mulberry32(0xc5f);
  const sensors = ["alpha", "beta", "gamma", "delta", "epsilon"];
  const labels = ["normal", "warning", "fault"];
  const parts: string[] = ["id,timestamp,sensor,temperature,humidity,pressure,label\n"];
  let length = parts[0]?.length ?? 0;
  for (let i = 0; length < size; i++) {
    const t = new Date(Date.UTC(2024, 0, 1) + i * 1000).toISOString();
    const row = `${i},${t},${sensors[Math.floor(rand() * sensors.length)]},${(15 + rand() * 20).toFixed(3)},${(
      rand() * 100
    ).toFixed(2)},${(980 + rand() * 60).toFixed(1)},${labels[Math.floor(rand() ** 3 * labels.length)]}\n`;
    parts.push(row);
    length += row.length;
  }
  return new TextEncoder().encode(parts.join("")).subarray(0, size);
}

function chunksOf(data: Uint8Array): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let offset = 0; offset < data.length; offset += CHUNK_SIZE) {
    out.push(data.slice(offset, offset + CHUNK_SIZE));
  }
  return out;
}

function loadMnist(): Uint8Array {
  return new Uint8Array(gunzipSync(readFileSync(mnistPath("images"))));
}

/**
 * Runs `pass` until MIN_SECONDS and MIN_PASSES are reached; returns the median seconds per pass,
 * which other work on a shared 2-core machine disturbs less than the mean.
 */
function timePerPass(pass: () => void): number {
  pass(); // warm-up: JIT, wasm heap growth
  const times: number[] = [];
  const start = performance.now();
  while (times.length < MIN_PASSES || performance.now() - start < MIN_SECONDS * 1000) {
    const t0 = performance.now();
    pass();
    times.push((performance.now() - t0) / 1000);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)] as number;
}

function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && Buffer.compare(a, b) === 0;
}

interface Row {
  codec: Codec;
  library: string;
  version: string | null;
  data: string;
  status: "ok" | "not installed" | "round trip failed" | "error";
  compressMBps: number | null;
  decompressMBps: number | null;
  ratio: number | null;
  error?: string;
  /** When the row was measured, if earlier than this run (carried over, library not installed). */
  measuredAt?: string;
}

/** The measured rows of the previous results file, by library, with the date they were measured. */
function previousRows(): Map<string, Row[]> {
  const byLibrary = new Map<string, Row[]>();
  if (!existsSync(resultsPath)) return byLibrary;
  const previous = JSON.parse(readFileSync(resultsPath, "utf8")) as { date?: string; rows?: Row[] };
  for (const row of previous.rows ?? []) {
    if (row.status !== "ok") continue;
    const rows = byLibrary.get(row.library) ?? [];
    rows.push({ ...row, measuredAt: row.measuredAt ?? previous.date });
    byLibrary.set(row.library, rows);
  }
  return byLibrary;
}

function versionOf(pkg: string): string | null {
  if (pkg.startsWith("@cyxwiz/")) return "workspace";
  for (let dir = here; ; dir = dirname(dir)) {
    const file = join(dir, "node_modules", pkg, "package.json");
    if (existsSync(file)) return (JSON.parse(readFileSync(file, "utf8")) as { version: string }).version;
    if (dirname(dir) === dir) return null;
  }
}

async function main(): Promise<void> {
  const mnist = loadMnist();
  const datasets: Record<string, Uint8Array[]> = {
    "mnist-images": chunksOf(mnist),
    random: chunksOf(new Uint8Array(randomBytes(mnist.length))),
    "csv-text": chunksOf(csvText(mnist.length)),
  };
  const rows: Row[] = [];
  const earlier = previousRows();
  for (const c of candidates) {
    const version = versionOf(c.pkg);
    const carried = earlier.get(c.pkg);
    if (version === null && carried !== undefined) {
      rows.push(...carried);
      continue;
    }
    let adapter: Adapter | undefined;
    let loadError: string | undefined;
    if (version === null) {
      loadError = "not installed";
    } else {
      try {
        adapter = await c.load();
      } catch (e) {
        loadError = String(e);
      }
    }
    for (const [dataName, chunks] of Object.entries(datasets)) {
      const base = { codec: c.codec, library: c.pkg, version, data: dataName };
      if (adapter === undefined) {
        const status = version === null ? "not installed" : "error";
        rows.push({ ...base, status, compressMBps: null, decompressMBps: null, ratio: null, error: loadError });
        continue;
      }
      const a = adapter;
      try {
        const plainBytes = chunks.reduce((n, ch) => n + ch.length, 0);
        const encode = a.compress ?? a.reference;
        if (encode === undefined) throw new Error("adapter has neither compress nor reference");
        const compressed = chunks.map((ch) => encode(ch));
        const compressedBytes = compressed.reduce((n, ch) => n + ch.length, 0);
        const ok = compressed.every((ch, i) => {
          const plain = chunks[i] as Uint8Array;
          return equalBytes(a.decompress(ch, plain.length), plain);
        });
        if (!ok) {
          rows.push({ ...base, status: "round trip failed", compressMBps: null, decompressMBps: null, ratio: null });
          continue;
        }
        const compressFn = a.compress;
        const cSec =
          compressFn === undefined
            ? null
            : timePerPass(() => {
                for (const ch of chunks) compressFn(ch);
              });
        const dSec = timePerPass(() => {
          compressed.forEach((ch, i) => {
            a.decompress(ch, (chunks[i] as Uint8Array).length);
          });
        });
        rows.push({
          ...base,
          status: "ok",
          compressMBps: cSec === null ? null : plainBytes / 1e6 / cSec,
          decompressMBps: plainBytes / 1e6 / dSec,
          ratio: plainBytes / compressedBytes,
        });
      } catch (e) {
        rows.push({
          ...base,
          status: "error",
          compressMBps: null,
          decompressMBps: null,
          ratio: null,
          error: String(e),
        });
      }
    }
  }

  const fmt = (x: number | null, digits: number): string => (x === null ? "-" : x.toFixed(digits));
  const header = ["codec", "library", "version", "data", "compress MB/s", "decompress MB/s", "ratio", "status"];
  const chosen = new Set(candidates.filter((c) => c.chosen).map((c) => c.pkg));
  const table = rows.map((r) => [
    r.codec,
    chosen.has(r.library) ? `${r.library} (chosen)` : r.library,
    r.version ?? "-",
    r.data,
    fmt(r.compressMBps, 0),
    fmt(r.decompressMBps, 0),
    fmt(r.ratio, 2),
    r.measuredAt === undefined ? r.status : `${r.status} (${r.measuredAt.slice(0, 10)}, not installed now)`,
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...table.map((t) => (t[i] ?? "").length)));
  const line = (cells: string[]): string => `| ${cells.map((cell, i) => cell.padEnd(widths[i] ?? 0)).join(" | ")} |`;
  console.log(line(header));
  console.log(`|${widths.map((w) => "-".repeat(w + 2)).join("|")}|`);
  for (const t of table) console.log(line(t));

  mkdirSync(dirname(resultsPath), { recursive: true });
  const result = {
    benchmark: "chunk compression candidates",
    command: "cd packages/protocol && node --import tsx bench/compression-bench.ts",
    date: new Date().toISOString(),
    node: process.version,
    cpu: cpus()[0]?.model ?? "unknown",
    chunkSize: CHUNK_SIZE,
    zstdLevel: ZSTD_LEVEL,
    units: { throughput: "MB/s of plain data, MB = 10^6 bytes, one thread", ratio: "plain bytes / compressed bytes" },
    data: Object.fromEntries(
      Object.entries(datasets).map(([k, v]) => [k, { bytes: v.reduce((n, ch) => n + ch.length, 0), chunks: v.length }]),
    ),
    candidates: candidates.map((c) => ({ codec: c.codec, library: c.pkg, chosen: c.chosen === true, note: c.note })),
    rows,
  };
  writeFileSync(resultsPath, `${JSON.stringify(result, null, 2)}\n`);
  console.log(`\nwrote ${resultsPath}`);
}

await main();
