import { encode as encodePng } from "fast-png";
import { gzipSync, zipSync } from "fflate";
import { parquetWriteBuffer } from "hyparquet-writer";
import { describe, expect, it } from "vitest";
import { datasetFailure } from "../../test-support/expect-failure.js";
import { idxBytes, memoryFile, npyBytes } from "../../test-support/sample-files.js";
import { detectFormat } from "./detect-format.js";
import { FORMAT_NAMES } from "./format-registry.js";

const png = encodePng({ width: 1, height: 1, data: Uint8Array.from([1, 2, 3]), channels: 3, depth: 8 });

describe("detectFormat", () => {
  it("chooses by content, whatever the name says", async () => {
    const parquet = new Uint8Array(parquetWriteBuffer({ columnData: [{ name: "a", data: [1], type: "INT32" }] }));
    const cases: [string, Uint8Array | string, string][] = [
      ["data.csv", parquet, "parquet"],
      ["data.bin", npyBytes("|u1", [1], Uint8Array.from([1])), "npy"],
      ["data.txt", "a,b\n1,2\n", "csv"],
      ["data.csv", "a\tb\tc\n1\t2\t3\n", "tsv"],
      ["data.txt", '{"a":1}\n{"a":2}\n', "jsonl"],
      ["data.dat", zipSync({ "a/1.png": png }), "images"],
      ["photo.bin", png, "images"],
    ];
    for (const [path, content, format] of cases)
      expect(await detectFormat([memoryFile(path, content)]), path).toBe(format);
  });

  it("IDX by its magic, gzipped or not", async () => {
    const images = idxBytes([1, 2, 2], Uint8Array.from([1, 2, 3, 4]));
    const labels = idxBytes([1], Uint8Array.from([7]));
    expect(await detectFormat([memoryFile("a", images), memoryFile("b", labels)])).toBe("idx");
    expect(await detectFormat([memoryFile("a.gz", gzipSync(images)), memoryFile("b.gz", gzipSync(labels))])).toBe(
      "idx",
    );
  });

  it("the extension breaks a tie: one column of numbers is csv by name, tsv by name", async () => {
    expect(await detectFormat([memoryFile("one.tsv", "x\n1\n2\n")])).toBe("tsv");
    expect(await detectFormat([memoryFile("one.csv", "x\n1\n2\n")])).toBe("csv");
  });

  it("an override wins; an unknown override or unrecognised content is CYXW_ERR_DS_UNKNOWN_FORMAT", async () => {
    expect(await detectFormat([memoryFile("d.csv", "a,b\n1,2\n")], "tsv")).toBe("tsv");
    const bad = await datasetFailure(detectFormat([memoryFile("d.csv", "a,b\n")], "xlsx"));
    expect(bad.code).toBe("CYXW_ERR_DS_UNKNOWN_FORMAT");
    for (const name of FORMAT_NAMES) expect(bad.message).toContain(name);
    const unknown = await datasetFailure(
      detectFormat([memoryFile("blob.bin", Uint8Array.from([0, 1, 2, 3, 0, 0, 9]))]),
    );
    expect(unknown.code).toBe("CYXW_ERR_DS_UNKNOWN_FORMAT");
    expect(unknown.place).toEqual({ file: "blob.bin" });
  });

  it("a 0-byte file is CYXW_ERR_DS_EMPTY naming it, with or without an override", async () => {
    for (const override of [undefined, "csv"]) {
      const { readSamples } = await import("./read-samples.js");
      const e = await datasetFailure(
        readSamples([memoryFile("empty.csv", "")], override === undefined ? {} : { format: override }),
      );
      expect(e.code).toBe("CYXW_ERR_DS_EMPTY");
      expect(e.place).toEqual({ file: "empty.csv" });
    }
  });
});
