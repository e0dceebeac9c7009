/**
 * Every benchmark of the package, one after the other so they never compete for the cores: pack
 * throughput in Node, then in Chromium. Prints one table (samples beside the opaque pack of the
 * same bytes, measured in the same run) and leaves each run's JSON under bench/results/.
 *
 * Run: `npm run bench` at the repository root (turbo), or `npm run bench` in packages/datasets.
 */
import { formatTable, loadAverage, resultsDir } from "./bench-report.js";
import { benchPackChromium } from "./pack-chromium.js";
import { benchPackNode } from "./pack-node.js";

const t0 = performance.now();
const loadBefore = loadAverage();
console.log(`load average before: ${loadBefore.join(" ")}`);
console.log("== pack throughput, Node ==");
const node = await benchPackNode();
console.log("== pack throughput, Chromium ==");
const chromium = await benchPackChromium();
const rows = [...node.rows, ...chromium.rows].sort((a, b) => a.input.localeCompare(b.input));
const runtimeOf = (r: (typeof rows)[number]) => (node.rows.includes(r) ? node.runtime : chromium.runtime);
console.log(
  `\n== summary: MB = 10^6 input bytes, 4 MiB chunks, median of the repeats; ratio = samples / opaque (same crypto) ==`,
);
console.log(formatTable(rows.map((row) => ({ runtime: runtimeOf(row), row }))));
console.log(
  `load average before ${loadBefore.join(" ")}, after ${loadAverage().join(" ")}; ${((performance.now() - t0) / 1000).toFixed(0)} s in all`,
);
console.log(`wrote ${resultsDir}pack-throughput-node.json and pack-throughput-chromium.json`);
