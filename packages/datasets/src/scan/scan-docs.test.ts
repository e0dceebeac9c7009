import { describe, expect, it } from "vitest";
import doc from "../../../../docs/personal-data.md?raw";
import { BUILT_IN_FINDING_TYPES } from "./detector-registry.js";
import { SCAN_ERROR_CODES } from "./scan-error.js";

/** The rows of a Markdown table whose first cell is a backticked name: name → the rest of the row. */
function tableRows(text: string): Map<string, string> {
  const rows = new Map<string, string>();
  for (const match of text.matchAll(/^\| `([A-Za-z_]+)` \| (.*) \|$/gm)) rows.set(match[1]!, match[2]!);
  return rows;
}

describe("docs/personal-data.md", () => {
  it("documents exactly the scan's error codes, with the catalogue's wording", () => {
    const rows = tableRows(doc);
    const documented = [...rows.keys()].filter((k) => k.startsWith("CYXW_SCAN_"));
    expect(documented.sort()).toEqual(Object.keys(SCAN_ERROR_CODES).sort());
    for (const [code, summary] of Object.entries(SCAN_ERROR_CODES)) expect(rows.get(code)).toBe(summary);
  });

  it("describes every built-in detector", () => {
    const rows = tableRows(doc);
    for (const type of BUILT_IN_FINDING_TYPES) expect(rows.has(type), type).toBe(true);
  });
});
