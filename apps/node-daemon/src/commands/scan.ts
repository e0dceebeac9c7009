import { readSamples } from "@cyxwiz/datasets/formats";
import { type CustomPattern, createScanner, type ScanReport } from "@cyxwiz/datasets/scan";
import { withDatasetErrors } from "../dataset-errors.js";
import { openDatasetInput } from "../dataset-input.js";
import { badInput } from "../exit-codes.js";
import type { Output } from "../output.js";
import { textTable } from "../text-table.js";

export interface ScanCommandOptions {
  format?: string;
  labelColumn?: string;
  /** `--pattern name=REGEX`, repeatable. */
  pattern?: string[];
  json?: boolean;
}

/**
 * `cyxwiz scan <file...>`: reads the files as samples and runs the personal-data scan
 * (docs/personal-data.md) over every row. `--json` prints exactly the scan report:
 * `{"columns":[{"name","findings":[{"type","count","rate","examples"}]}],"suggestedClassification"}`.
 * Exit 0 whether or not anything is found.
 */
export async function scanCommand(paths: readonly string[], opts: ScanCommandOptions, out: Output): Promise<void> {
  const custom = (opts.pattern ?? []).map(parsePattern);
  if (opts.format === "auto") delete opts.format;
  const input = await openDatasetInput(paths);
  try {
    const report = await withDatasetErrors(async () => {
      const scanner = createScanner({ custom });
      const read = await readSamples(input.files, opts.format === undefined ? {} : { format: opts.format });
      for await (const batch of read.batches) scanner.add(batch);
      return scanner.report();
    });
    out.result({ columns: report.columns, suggestedClassification: report.suggestedClassification }, describe(report));
  } finally {
    await input.close();
  }
}

/** `name=REGEX` → a custom pattern (the scan checks the name and compiles the expression). */
function parsePattern(text: string): CustomPattern {
  const eq = text.indexOf("=");
  if (eq < 1) throw badInput(`--pattern is name=REGEX (e.g. employee_id=^E\\d{6}$); got ${text}`);
  return { name: text.slice(0, eq), pattern: text.slice(eq + 1) };
}

function describe(report: ScanReport): string {
  const rows: string[][] = [["column", "finding", "count", "rate", "example rows"]];
  for (const c of report.columns) {
    if (c.findings.length === 0) rows.push([c.name, "-", "", "", ""]);
    for (const f of c.findings)
      rows.push([c.name, f.type, String(f.count), `${(f.rate * 100).toFixed(1)}%`, f.examples.join(", ")]);
  }
  const found = report.columns.some((c) => c.findings.length > 0);
  return `${textTable(rows)}\n${found ? "personal data found" : "no personal data found"}; suggested classification: ${report.suggestedClassification}`;
}
