import { describe, expect, it } from "vitest";
import { datasetFailure } from "../../test-support/expect-failure.js";
import { collect, memoryFile, rowsOf } from "../../test-support/sample-files.js";
import { readSamples } from "./read-samples.js";

describe("tsv", () => {
  it("reads tab-separated rows (commas inside cells stay text)", async () => {
    const s = await readSamples([memoryFile("t.txt", "name\tscore\tclass\nx, y\t1.25\tcat\nz\t2\tdog\n")]);
    expect(s.format).toBe("tsv");
    expect(s.labelColumn).toBe("class");
    expect(rowsOf(await collect(s.batches))).toEqual([
      { name: "x, y", score: 1.25, class: "cat" },
      { name: "z", score: 2, class: "dog" },
    ]);
  });

  it("a short row is an error naming its line", async () => {
    const e = await datasetFailure(readSamples([memoryFile("t.tsv", "a\tb\n1\t2\n3\n")]));
    expect(e.code).toBe("CYXW_ERR_DS_MALFORMED_ROW");
    expect(e.place).toEqual({ file: "t.tsv", line: 3, column: 2 });
  });

  it("has no quoting: a quote is just a character", async () => {
    const s = await readSamples([memoryFile("q.tsv", 'size\tname\n5"\t"odd\n6\tplain\n')]);
    expect(rowsOf(await collect(s.batches))).toEqual([
      { size: '5"', name: '"odd' },
      { size: "6", name: "plain" },
    ]);
  });
});
