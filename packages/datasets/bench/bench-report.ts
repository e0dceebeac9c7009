/**
 * Printing and writing the pack-throughput figures (Node side of both runs): one table with
 * samples beside the opaque baseline, and a JSON file under packages/datasets/bench/results/.
 */
import { mkdir, writeFile } from "node:fs/promises";
import { cpus, loadavg } from "node:os";
import { fileURLToPath } from "node:url";
import type { PackThroughputRow } from "./pack-pipeline.js";

/** This package's bench/results directory. */
export const resultsDir = fileURLToPath(new URL("./results/", import.meta.url));

/** The load average now, rounded (the machine is shared: the figures are read beside it). */
export const loadAverage = () => loadavg().map((l) => Number(l.toFixed(2)));

/** Writes one benchmark's results as JSON, stamped with the time and machine; returns the path. */
export async function writeResult(name: string, result: Record<string, unknown>): Promise<string> {
  await mkdir(resultsDir, { recursive: true });
  const path = `${resultsDir}${name}.json`;
  const stamped = {
    name,
    measuredAt: new Date().toISOString(),
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model,
    ...result,
  };
  await writeFile(path, `${JSON.stringify(stamped, null, 2)}\n`);
  return path;
}

/** One row of the printed table per input and pipeline. */
export interface TableRow {
  readonly runtime: string;
  readonly row: PackThroughputRow;
}

function table(header: readonly string[], cells: readonly (readonly string[])[]): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => (c[i] ?? "").length)));
  const line = (c: readonly string[]) =>
    `| ${c.map((cell, i) => (i < 3 ? cell.padEnd(widths[i] ?? 0) : cell.padStart(widths[i] ?? 0))).join(" | ")} |`;
  const rule = `|${widths.map((w, i) => (i < 3 ? `${"-".repeat(w + 2)}` : `${"-".repeat(w + 1)}:`)).join("|")}|`;
  return [line(header), rule, ...cells.map(line)];
}

const mbps = (x: number) => x.toFixed(1);
const perS = (x: number) => Math.round(x).toLocaleString("en-US");

/**
 * The figures as a Markdown table: per input and runtime, prepareSamples alone, then the upload
 * pipeline (SHA-256 + Merkle; with AES-256-GCM) beside the opaque pack of the same bytes with the
 * same crypto, and samples/opaque as a ratio of throughputs.
 */
export function formatTable(rows: readonly TableRow[]): string {
  const cells: string[][] = [];
  for (const { runtime, row } of rows) {
    cells.push([row.input, runtime, "read+pack", mbps(row.packMBps), perS(row.packSamplesPerS), "", ""]);
    cells.push([
      row.input,
      runtime,
      "+ chunker, SHA-256",
      mbps(row.uploadHashMBps),
      perS(row.uploadHashSamplesPerS),
      mbps(row.opaqueHashMBps),
      `${row.hashRatio.toFixed(3)}x`,
    ]);
    cells.push([
      row.input,
      runtime,
      "+ chunker, AES-GCM + SHA-256",
      mbps(row.uploadAesMBps),
      perS(row.uploadAesSamplesPerS),
      mbps(row.opaqueAesMBps),
      `${row.aesRatio.toFixed(3)}x`,
    ]);
  }
  return table(["input", "runtime", "samples pipeline", "MB/s", "samples/s", "opaque MB/s", "ratio"], cells).join("\n");
}
