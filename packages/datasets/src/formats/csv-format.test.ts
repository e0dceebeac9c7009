import * as arrow from "apache-arrow";
import { describe, expect, it } from "vitest";
import { datasetFailure } from "../../test-support/expect-failure.js";
import { collect, generatedCsv, memoryFile, rowsOf } from "../../test-support/sample-files.js";
import { readSamples } from "./read-samples.js";
import { TEXT_READ_BYTES } from "./utf8-text.js";

describe("csv", () => {
  it("infers Int64, Float64, Bool and Utf8 over the whole file, empty cells as nulls, quotes kept", async () => {
    const csv = 'id,x,ok,name,target\r\n1,1.5,true,"a, b",0\r\n2,,FALSE,"two\r\nlines",1\r\n3,7,true,,1\r\n';
    const s = await readSamples([memoryFile("d.csv", csv)]);
    expect(s.format).toBe("csv");
    expect(s.schema.fields.map((f) => [f.name, String(f.type)])).toEqual([
      ["id", "Int64"],
      ["x", "Float64"],
      ["ok", "Bool"],
      ["name", "Utf8"],
      ["target", "Int64"],
    ]);
    expect(s.labelColumn).toBe("target");
    const rows = rowsOf(await collect(s.batches));
    expect(rows).toEqual([
      { id: 1n, x: 1.5, ok: true, name: "a, b", target: 0n },
      { id: 2n, x: null, ok: false, name: "two\r\nlines", target: 1n },
      { id: 3n, x: 7, ok: true, name: null, target: 1n },
    ]);
  });

  it("a type seen late in the file decides the column (a first pass over the whole file)", async () => {
    const lines = ["a,b"];
    for (let i = 0; i < 5000; i++) lines.push(`${i},${i}`);
    lines.push("x,2.5");
    const s = await readSamples([memoryFile("late.csv", lines.join("\n"))], { batchRows: 1000 });
    expect(s.schema.fields.map((f) => String(f.type))).toEqual(["Utf8", "Float64"]);
    const batches = await collect(s.batches);
    expect(batches.map((b) => b.numRows)).toEqual([1000, 1000, 1000, 1000, 1000, 1]);
    expect(batches[0]!.getChild("a")!.get(3)).toBe("3");
  });

  it("streams a file larger than one read, with multi-byte characters across read boundaries", async () => {
    const csv = generatedCsv(40_000);
    expect(new TextEncoder().encode(csv).length).toBeGreaterThan(TEXT_READ_BYTES);
    const s = await readSamples([memoryFile("big.csv", csv)]);
    const rows = rowsOf(await collect(s.batches));
    expect(rows.length).toBe(40_000);
    const expected = csv.trim().split("\n").slice(1);
    for (const i of [0, 1, 12_345, 39_999]) {
      const parts = expected[i]!.split(",");
      expect(rows[i]!.id).toBe(BigInt(parts[0]!));
      expect(rows[i]!.score).toBe(Number(parts[1]));
    }
    expect(rows.filter((r) => r.note === null).length).toBe(expected.filter((l) => l.split(",")[3] === "").length);
    expect(new Set(rows.map((r) => r.label))).toEqual(new Set(["c0", "c1", "c2", "c3", "c4"]));
  });

  it("reports progress over both passes up to twice the file size", async () => {
    const csv = generatedCsv(100);
    const seen: [number, number][] = [];
    const s = await readSamples([memoryFile("p.csv", csv)], { onProgress: (a, b) => seen.push([a, b]) });
    await collect(s.batches);
    const size = new TextEncoder().encode(csv).length;
    expect(seen.at(-1)).toEqual([2 * size, 2 * size]);
  });

  it("a row with the wrong number of fields is an error naming its line (after a quoted line break)", async () => {
    const csv = 'a,b\n1,"x\ny"\n2,3\n4,5,6\n';
    const e = await datasetFailure(readSamples([memoryFile("bad.csv", csv)]));
    expect(e.code).toBe("CYXW_ERR_DS_MALFORMED_ROW");
    expect(e.place).toEqual({ file: "bad.csv", line: 5, column: 3 });
    expect(e.message).toContain("bad.csv line 5");
  });

  it("an unclosed quote is a malformed row", async () => {
    const e = await datasetFailure(readSamples([memoryFile("q.csv", 'a,b\n1,2\n3,"oops\n')], { format: "csv" }));
    expect(e.code).toBe("CYXW_ERR_DS_MALFORMED_ROW");
    expect(e.place).toMatchObject({ file: "q.csv", line: 3 });
  });

  it("50,000 columns exceed the 10,000-column limit, with both numbers in the message", async () => {
    const header = Array.from({ length: 50_000 }, (_, i) => `c${i}`).join(",");
    const e = await datasetFailure(readSamples([memoryFile("wide.csv", `${header}\n${"1,".repeat(49_999)}1\n`)]));
    expect(e.code).toBe("CYXW_ERR_DS_TOO_MANY_COLUMNS");
    expect(e.message).toContain("50000 columns");
    expect(e.message).toContain("10000");
    expect(e.place).toEqual({ file: "wide.csv", line: 1 });
  });

  it("text that is not UTF-8 is an error with its line and byte offset", async () => {
    const head = new TextEncoder().encode("a,b\n1,2\n3,caf");
    const bytes = new Uint8Array([...head, 0xe9, ...new TextEncoder().encode("\n5,6\n")]);
    const e = await datasetFailure(readSamples([memoryFile("latin1.csv", bytes)], { format: "csv" }));
    expect(e.code).toBe("CYXW_ERR_DS_ENCODING");
    expect(e.place).toEqual({ file: "latin1.csv", line: 3, byteOffset: head.length });
  });

  it("a header without rows is empty", async () => {
    const e = await datasetFailure(readSamples([memoryFile("h.csv", "a,b\n")], { format: "csv" }));
    expect(e.code).toBe("CYXW_ERR_DS_EMPTY");
  });

  it("labelColumn chooses a column, null chooses none, an unknown name is an error", async () => {
    const csv = "f,label,other\n1,2,3\n";
    expect((await readSamples([memoryFile("l.csv", csv)])).labelColumn).toBe("label");
    expect((await readSamples([memoryFile("l.csv", csv)], { labelColumn: "other" })).labelColumn).toBe("other");
    expect((await readSamples([memoryFile("l.csv", csv)], { labelColumn: null })).labelColumn).toBeUndefined();
    const e = await datasetFailure(readSamples([memoryFile("l.csv", csv)], { labelColumn: "nope" }));
    expect(e.code).toBe("CYXW_ERR_DS_BAD_OPTION");
  });

  it("integers beyond Int64 make the column Float64", async () => {
    const s = await readSamples([memoryFile("n.csv", "v\n1\n99999999999999999999\n")]);
    expect(arrow.DataType.isFloat(s.schema.fields[0]!.type)).toBe(true);
  });

  it("a quoted field longer than one read, full of line breaks and quotes, is one cell; later lines keep their numbers", async () => {
    const big = Array.from({ length: 60_000 }, (_, i) => `line ${i} says ""hi""`).join("\n");
    expect(big.length).toBeGreaterThan(TEXT_READ_BYTES);
    // Header line 1; the quoted cell spans lines 2–60,001; "2,x" is line 60,002 and "3" line 60,003.
    const csv = `a,b\n1,"${big}"\n2,x\n3\n`;
    const e = await datasetFailure(readSamples([memoryFile("long.csv", csv)]));
    expect(e.code).toBe("CYXW_ERR_DS_MALFORMED_ROW");
    expect(e.place).toMatchObject({ file: "long.csv", line: 60_003 });
    const s = await readSamples([memoryFile("long.csv", `a,b\n1,"${big}"\n2,x\n`)]);
    const rows = rowsOf(await collect(s.batches));
    expect(rows.length).toBe(2);
    expect(rows[0]!.b).toBe(big.replaceAll('""', '"'));
    expect(rows[1]).toEqual({ a: 2n, b: "x" });
  });
});
