import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { memoryFile } from "../../test-support/sample-files.js";
import { readDelimitedRows } from "./delimited-rows.js";

/** RFC 4180 writing: quote a cell holding a comma, a quote or a line break, doubling its quotes. */
function csvCell(s: string): string {
  return /[",\r\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

describe("readDelimitedRows", () => {
  it("property: any cells written as RFC 4180 CSV (commas, quotes, line breaks, non-ASCII) read back as the same rows and lines", async () => {
    const cell = fc.string({ unit: fc.constantFrom("a", "é", "😀", ",", '"', "\n", "\r\n", " ", "x"), maxLength: 12 });
    const table = fc
      .integer({ min: 1, max: 4 })
      .chain((width) =>
        fc.array(fc.array(cell, { minLength: width, maxLength: width }), { minLength: 1, maxLength: 30 }),
      );
    await fc.assert(
      fc.asyncProperty(table, fc.constantFrom("\n", "\r\n"), async (rows, eol) => {
        // A row of one empty cell is a blank line, which the reader skips: keep rows non-blank.
        const kept = rows.filter((r) => !(r.length === 1 && r[0] === ""));
        const text = kept.map((r) => r.map(csvCell).join(",")).join(eol) + eol;
        const got: string[][] = [];
        const lines: number[] = [];
        for await (const g of readDelimitedRows(memoryFile("p.csv", text), { delimiter: ",", quote: '"' })) {
          got.push(...g.rows);
          lines.push(...g.lines);
        }
        expect(got).toEqual(kept);
        let line = 1;
        const expectedLines = kept.map((r) => {
          const at = line;
          line += 1 + r.reduce((a, c) => a + (c.match(/\n/g)?.length ?? 0), 0);
          return at;
        });
        expect(lines).toEqual(expectedLines);
      }),
      { numRuns: 200, seed: 4180 },
    );
  });

  it("regression (found by the property): a quoted CRLF before the first real line break does not make the file CRLF", async () => {
    const got: string[][] = [];
    for await (const g of readDelimitedRows(memoryFile("r.csv", '"\r\n",\n,\n'), { delimiter: ",", quote: '"' }))
      got.push(...g.rows);
    expect(got).toEqual([
      ["\r\n", ""],
      ["", ""],
    ]);
  });
});
