/**
 * Printing and writing the training benchmark's figures (Node side): Markdown tables, and one
 * JSON file per run under packages/training/bench/results/.
 */
import { mkdir, writeFile } from "node:fs/promises";
import { cpus, loadavg } from "node:os";
import { fileURLToPath } from "node:url";
import type { ConvergenceRun } from "./convergence.js";
import type { ThroughputRow } from "./train-throughput.js";

/** This package's bench/results directory. */
export const resultsDir = fileURLToPath(new URL("./results/", import.meta.url));

/** The load average now, rounded (the machine is shared: the figures are read beside it). */
export const loadAverage = () => loadavg().map((l) => Number(l.toFixed(2)));

/** Writes the run's results as JSON, stamped with the time and machine; returns the path. */
export async function writeResult(name: string, result: Record<string, unknown>): Promise<string> {
  await mkdir(resultsDir, { recursive: true });
  const path = `${resultsDir}${name}.json`;
  const stamped = { name, measuredAt: new Date().toISOString(), cpus: cpus().length, cpuModel: cpus()[0]?.model };
  await writeFile(path, `${JSON.stringify({ ...stamped, ...result }, null, 2)}\n`);
  return path;
}

/** A Markdown table; the columns from `leftColumns` on are right-aligned. */
export function table(header: readonly string[], cells: readonly (readonly string[])[], leftColumns = 2): string {
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => (c[i] ?? "").length)));
  const line = (c: readonly string[]) =>
    `| ${c.map((cell, i) => (i < leftColumns ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join(" | ")} |`;
  const rule = `|${widths.map((w, i) => (i < leftColumns ? "-".repeat(w + 2) : `${"-".repeat(w + 1)}:`)).join("|")}|`;
  return [line(header), rule, ...cells.map(line)].join("\n");
}

const perS = (x: number) => Math.round(x).toLocaleString("en-US");

/** Throughput: per runtime and backend, ours beside plain model.fit, and the ratio. */
export function throughputTable(rows: readonly { runtime: string; row: ThroughputRow }[], minRatio: number): string {
  return table(
    ["runtime", "backend", "steps × batch", "ours samples/s", "plain fit samples/s", "ours / plain", `≥ ${minRatio}`],
    rows.map(({ runtime, row }) => [
      runtime,
      row.backend,
      `${row.steps} × ${row.batchSize}`,
      perS(row.ours),
      perS(row.plain),
      `${row.ratio.toFixed(3)}x`,
      row.ratio >= minRatio ? "met" : "not met",
    ]),
  );
}

/** Convergence: samples seen to the target per run, and the ratio to the single process. */
export function convergenceTable(runs: readonly ConvergenceRun[], single: ConvergenceRun, maxRatio: number): string {
  return table(
    ["run", "rounds", "samples to target", "/ single process", `≤ ${maxRatio}`, "best accuracy", "seconds"],
    runs.map((r) => {
      const ratio =
        r.samplesToTarget === null || single.samplesToTarget === null
          ? null
          : r.samplesToTarget / single.samplesToTarget;
      return [
        r.label,
        String(r.curve.length),
        r.samplesToTarget === null ? "not reached" : perS(r.samplesToTarget),
        ratio === null ? "—" : `${ratio.toFixed(2)}x`,
        ratio === null ? (r === single ? "" : "not met") : r === single ? "" : ratio <= maxRatio ? "met" : "not met",
        Math.max(...r.curve.map((c) => c.accuracy)).toFixed(4),
        r.seconds.toFixed(0),
      ];
    }),
    1,
  );
}
