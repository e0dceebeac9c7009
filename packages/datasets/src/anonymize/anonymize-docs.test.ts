import { describe, expect, it } from "vitest";
import doc from "../../../../docs/personal-data.md?raw";
import { ANONYMIZE_ERROR_CODES } from "./anonymize-error.js";
import { ANONYMIZER_NAMES } from "./operator-registry.js";

function tableRows(text: string): Map<string, string> {
  const rows = new Map<string, string>();
  for (const match of text.matchAll(/^\| `([A-Za-z_]+)` \| (.*) \|$/gm)) rows.set(match[1]!, match[2]!);
  return rows;
}

describe("docs/personal-data.md", () => {
  it("documents exactly the anonymizers' error codes, with the catalogue's wording", () => {
    const rows = tableRows(doc);
    const documented = [...rows.keys()].filter((k) => k.startsWith("CYXW_ANON_"));
    expect(documented.sort()).toEqual(Object.keys(ANONYMIZE_ERROR_CODES).sort());
    for (const [code, summary] of Object.entries(ANONYMIZE_ERROR_CODES)) expect(rows.get(code)).toBe(summary);
  });

  it("describes every operator and its parameters", () => {
    const rows = tableRows(doc);
    for (const name of ANONYMIZER_NAMES) expect(rows.has(name), name).toBe(true);
  });
});
