import { describe, expect, it } from "vitest";
import { datasetFailure } from "../../test-support/expect-failure.js";
import { collect, memoryFile, rowsOf } from "../../test-support/sample-files.js";
import { readSamples } from "./read-samples.js";

describe("jsonl", () => {
  it("reads one object per line: keys in first-seen order, missing keys as nulls, nested values as JSON text", async () => {
    const text = '{"a":1,"b":"x","y":0}\n\n{"a":2.5,"c":[1,2],"y":1}\n{"b":"z","c":{"k":true},"y":1}\n';
    const s = await readSamples([memoryFile("d.jsonl", text)]);
    expect(s.format).toBe("jsonl");
    expect(s.labelColumn).toBe("y");
    expect(s.schema.fields.map((f) => [f.name, String(f.type)])).toEqual([
      ["a", "Float64"],
      ["b", "Utf8"],
      ["y", "Int64"],
      ["c", "Utf8"],
    ]);
    expect(rowsOf(await collect(s.batches))).toEqual([
      { a: 1, b: "x", y: 0n, c: null },
      { a: 2.5, b: null, y: 1n, c: "[1,2]" },
      { a: null, b: "z", y: 1n, c: '{"k":true}' },
    ]);
  });

  it("a line that is not a JSON object is an error naming its line", async () => {
    const e = await datasetFailure(
      readSamples([memoryFile("d.jsonl", '{"a":1}\n{"a":2}\n[3]\n')], { format: "jsonl" }),
    );
    expect(e.code).toBe("CYXW_ERR_DS_MALFORMED_JSON");
    expect(e.place).toEqual({ file: "d.jsonl", line: 3 });
    const broken = await datasetFailure(readSamples([memoryFile("d.jsonl", '{"a":1}\n{"a":\n')], { format: "jsonl" }));
    expect(broken.place).toEqual({ file: "d.jsonl", line: 2 });
  });
});
