/**
 * Every benchmark of the package, one after the other so they never compete for the 2 cores:
 * the Node ingest bench, the Chromium ingest bench (Worker and page), then the compression bench
 * as a child process. Prints one summary table and writes bench/results/summary.json beside each
 * bench's own file.
 *
 * Run: `npm run bench` at the repository root (turbo), or `npm run bench` in packages/protocol.
 */
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { loadavg } from "node:os";
import { fileURLToPath } from "node:url";
import { benchIngestChromium, printIngestChromium } from "./ingest-chromium.js";
import { benchIngestNode, printIngest } from "./ingest-node.js";
import { resultsDir, writeResult } from "./write-result.js";

/** The issue's goal: ingest at no less than this fraction of the runtime's native crypto ceiling. */
const GOAL_RATIO = 0.8;

interface SummaryRow {
  readonly runtime: string;
  readonly ceilingMBps: number;
  readonly ingestMBps: number;
  readonly ingestRatio: number;
  readonly meetsGoal: boolean;
}

interface VerifyRow {
  readonly runtime: string;
  readonly verifyMBps: number;
  readonly verifyRatio: number;
}

const packageDir = fileURLToPath(new URL("..", import.meta.url));
const load = () => loadavg().map((l) => Number(l.toFixed(2)));

/** Runs the compression bench script in its own process; resolves with its exit code. */
function runCompressionBench(): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", "bench/compression-bench.ts"], {
      cwd: packageDir,
      stdio: "inherit",
    });
    child.once("error", reject);
    child.once("exit", (code, signal) => resolve(code ?? (signal === null ? 1 : 128)));
  });
}

function printTable(header: readonly string[], cells: readonly (readonly string[])[]): void {
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => (c[i] ?? "").length)));
  const line = (c: readonly string[]) =>
    `| ${c.map((cell, i) => (i === 0 ? cell.padEnd(widths[i] ?? 0) : cell.padStart(widths[i] ?? 0))).join(" | ")} |`;
  console.log(line(header));
  console.log(`|${widths.map((w, i) => (i === 0 ? `${"-".repeat(w + 1)}-` : `${"-".repeat(w + 1)}:`)).join("|")}|`);
  for (const c of cells) console.log(line(c));
}

async function main(): Promise<number> {
  const loadBefore = load();
  console.log(`load average before: ${loadBefore.join(" ")}\n`);

  console.log("== ingest, Node ==");
  const node = await benchIngestNode();
  printIngest(node);

  console.log("\n== ingest, Chromium ==");
  const chromium = await benchIngestChromium();
  printIngestChromium(chromium);

  let compression: { readonly status: string; readonly exitCode?: number; readonly results?: string };
  if (existsSync(`${packageDir}bench/compression-bench.ts`)) {
    console.log("\n== compression ==");
    const exitCode = await runCompressionBench();
    compression = { status: exitCode === 0 ? "ok" : "failed", exitCode, results: `${resultsDir}compression.json` };
  } else {
    compression = { status: "absent" };
  }

  // One row per way of ingesting: on one thread, and with a sealing pool (the product's path).
  const rows: SummaryRow[] = [
    ...node.runs.map((r) => ({
      runtime: `${node.runtime}, ${r.where}`,
      ceilingMBps: node.ceilingMBps,
      ingestMBps: r.ingestMBps,
      ingestRatio: r.ingestRatio,
    })),
    ...chromium.runs.flatMap((r) => [
      {
        runtime: `${chromium.runtime} ${r.where}, 1 thread`,
        ceilingMBps: r.ceilingMBps,
        ingestMBps: r.ingestMBps,
        ingestRatio: r.ingestRatio,
      },
      {
        runtime: `${chromium.runtime} ${r.where}, ${r.sealers} sealing workers`,
        ceilingMBps: r.ceilingMBps,
        ingestMBps: r.pooledIngestMBps,
        ingestRatio: r.pooledIngestRatio,
      },
    ]),
  ].map((r) => ({ ...r, meetsGoal: r.ingestRatio >= GOAL_RATIO }));
  const verifyRows: VerifyRow[] = [
    { runtime: node.runtime, verifyMBps: node.verifyMBps, verifyRatio: node.verifyRatio },
    ...chromium.runs.map((r) => ({
      runtime: `${chromium.runtime} ${r.where}`,
      verifyMBps: r.verifyMBps,
      verifyRatio: r.verifyRatio,
    })),
  ];
  const loadAfter = load();
  console.log(
    `\n== summary: ${node.totalBytes / 2 ** 20} MiB in ${node.chunkSize / 2 ** 20} MiB chunks, no compression, best of 3 ==`,
  );
  printTable(
    ["ingest", "ceiling MB/s", "ingest MB/s", "ratio"],
    rows.map((r) => [
      r.runtime,
      r.ceilingMBps.toFixed(0),
      r.ingestMBps.toFixed(0),
      `${r.ingestRatio.toFixed(2)}x${r.meetsGoal ? "" : ` (<${GOAL_RATIO})`}`,
    ]),
  );
  console.log("");
  printTable(
    ["verify", "verify MB/s", "ratio"],
    verifyRows.map((r) => [r.runtime, r.verifyMBps.toFixed(0), `${r.verifyRatio.toFixed(2)}x`]),
  );
  console.log(
    `goal: ingest >= ${GOAL_RATIO}x ceiling; load average before ${loadBefore.join(" ")}, after ${loadAfter.join(" ")}`,
  );
  const path = await writeResult("summary", {
    command: "npm run bench",
    goalRatio: GOAL_RATIO,
    loadAverage: { before: loadBefore, after: loadAfter },
    ceiling: "the runtime's native AES-256-GCM + SHA-256 over the same chunks, on one thread",
    rows,
    verifyRows,
    compression,
  });
  console.log(`wrote ${path}`);
  return compression.status === "failed" ? 1 : 0;
}

process.exitCode = await main();
