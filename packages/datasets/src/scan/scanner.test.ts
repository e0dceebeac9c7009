import { CLASSIFICATION_NAMES } from "@cyxwiz/protocol/vocab";
import { tableFromArrays, tableFromJSON } from "apache-arrow";
import { describe, expect, it } from "vitest";
import { isScanError } from "./scan-error.js";
import { createScanner, scanTable } from "./scanner.js";

const people = tableFromJSON([
  { name: "Ann", email: "ann@example.com", phone: "415-555-0132", notes: "ok" },
  { name: "Bob", email: "bob@example.org", phone: "4155550133", notes: "card 4111 1111 1111 1111" },
  { name: "Cy", email: null, phone: "n/a", notes: "from 10.0.0.7" },
]);

describe("scanTable", () => {
  it("reports each column's findings with count, rate over non-null values and row examples", () => {
    const report = scanTable(people);
    expect(report).toEqual({
      columns: [
        { name: "name", findings: [] },
        { name: "email", findings: [{ type: "email", count: 2, rate: 1, examples: [0, 1] }] },
        // The bare 4155550133 counts because the column is named phone.
        { name: "phone", findings: [{ type: "phone", count: 2, rate: 2 / 3, examples: [0, 1] }] },
        {
          name: "notes",
          findings: [
            { type: "credit_card", count: 1, rate: 1 / 3, examples: [1] },
            { type: "ip", count: 1, rate: 1 / 3, examples: [2] },
          ],
        },
      ],
      suggestedClassification: "restricted",
    });
    // The exact JSON shape the CLI prints.
    expect(Object.keys(JSON.parse(JSON.stringify(report)))).toEqual(["columns", "suggestedClassification"]);
  });

  it("uses the column name only as a tie-breaker", () => {
    const table = tableFromJSON([
      { email: "12345", ssn: "123456789", id: "123456789", card: "4111111111111111", ref: "4111111111111111" },
      { email: "99", ssn: "nope", id: "987654321", card: "x", ref: "y" },
    ]);
    const byName = Object.fromEntries(scanTable(table).columns.map((c) => [c.name, c.findings.map((f) => f.type)]));
    expect(byName).toEqual({ email: [], ssn: ["ssn"], id: [], card: ["credit_card"], ref: [] });
  });

  it("reads integer columns as digits (a phone number stored as a number)", () => {
    const table = tableFromArrays({
      mobile: new BigInt64Array([4155550132n, 2125550199n]),
      count: new Int32Array([4, 5]),
      score: new Float64Array([1.5, 4155550132]),
    });
    const report = scanTable(table);
    expect(report.columns.map((c) => [c.name, c.findings.map((f) => f.count)])).toEqual([
      ["mobile", [2]],
      ["count", []],
      ["score", []],
    ]);
    expect(report.suggestedClassification).toBe("confidential");
  });

  it("suggests internal, never public, when nothing is found, and names only vocab classifications", () => {
    const report = scanTable(tableFromJSON([{ a: "hello", b: 3 }]));
    expect(report.suggestedClassification).toBe("internal");
    expect(CLASSIFICATION_NAMES).toContain(report.suggestedClassification);
  });

  it("suggests restricted for an SSN, confidential for an email alone", () => {
    expect(scanTable(tableFromJSON([{ x: "123-45-6789" }])).suggestedClassification).toBe("restricted");
    expect(scanTable(tableFromJSON([{ x: "a@b.io" }])).suggestedClassification).toBe("confidential");
  });

  it("runs only the types asked for", () => {
    const report = scanTable(people, { types: ["ip"] });
    expect(report.columns.flatMap((c) => c.findings.map((f) => f.type))).toEqual(["ip"]);
    expect(report.suggestedClassification).toBe("confidential");
  });
});

describe("createScanner", () => {
  it("continues row indices across batches and keeps at most five examples", () => {
    const scanner = createScanner();
    for (let b = 0; b < 3; b++) {
      scanner.add(tableFromJSON(Array.from({ length: 4 }, (_, i) => ({ ip: i % 2 === 0 ? `10.0.${b}.${i}` : "-" }))));
    }
    const [column] = scanner.report().columns;
    expect(column).toEqual({ name: "ip", findings: [{ type: "ip", count: 6, rate: 0.5, examples: [0, 2, 4, 6, 8] }] });
  });

  it("adds RecordBatches one at a time with the same result as the whole table", () => {
    const scanner = createScanner();
    for (const batch of people.batches) scanner.add(batch);
    expect(scanner.report()).toEqual(scanTable(people));
  });

  it("reports custom patterns under their name with their classification", () => {
    const table = tableFromJSON([{ staff: "E123456" }, { staff: "E12" }, { staff: "e654321" }]);
    const report = scanTable(table, {
      custom: [
        { name: "employee_id", pattern: /\bE\d{6}\b/gi, classification: "restricted" },
        { name: "short_code", pattern: "^E\\d{2}$" },
      ],
    });
    expect(report.columns[0]!.findings).toEqual([
      { type: "employee_id", count: 2, rate: 2 / 3, examples: [0, 2] },
      { type: "short_code", count: 1, rate: 1 / 3, examples: [1] },
    ]);
    expect(report.suggestedClassification).toBe("restricted");
  });

  it.each([
    [{ custom: [{ name: "email", pattern: "x" }] }, "CYXW_SCAN_OPTIONS", /built-in/],
    [{ custom: [{ name: "Bad Name", pattern: "x" }] }, "CYXW_SCAN_OPTIONS", /custom pattern 0/],
    [
      {
        custom: [
          { name: "a", pattern: "x" },
          { name: "a", pattern: "y" },
        ],
      },
      "CYXW_SCAN_OPTIONS",
      /custom pattern 1 \("a"\): the name is given twice/,
    ],
    [{ custom: [{ name: "a", pattern: "(" }] }, "CYXW_SCAN_PATTERN", /not a valid regular expression/],
    [{ custom: [{ name: "a", pattern: "x*" }] }, "CYXW_SCAN_PATTERN", /empty value/],
    [{ custom: [{ name: "a", pattern: "x", classification: "secret" as never }] }, "CYXW_SCAN_OPTIONS", /secret/],
    [{ types: ["passport" as never] }, "CYXW_SCAN_OPTIONS", /unknown finding type "passport"/],
  ])("refuses bad options with a typed error (%#)", (options, code, message) => {
    let caught: unknown;
    try {
      createScanner(options);
    } catch (e) {
      caught = e;
    }
    expect(isScanError(caught)).toBe(true);
    expect(caught).toMatchObject({ code, message: expect.stringMatching(message) });
  });
});
