import { describe, expect, it } from "vitest";
import doc from "../../../../docs/dataset-formats.md?raw";
import { DATASET_ERROR_CODES, DatasetError, isDatasetError } from "./dataset-error.js";

describe("dataset error catalogue", () => {
  it("docs/dataset-formats.md documents exactly the codes of the catalogue", () => {
    const documented = [...doc.matchAll(/^\| `(CYXW_ERR_DS_[A-Z_]+)` \|/gm)].map((m) => m[1]);
    expect(documented.sort()).toEqual(Object.keys(DATASET_ERROR_CODES).sort());
  });

  it("a DatasetError carries its code and place, names both, and is recognised by name", () => {
    const e = new DatasetError("CYXW_ERR_DS_ENCODING", { file: "a.csv", line: 3, byteOffset: 17 }, "not UTF-8");
    expect(e.message).toBe("CYXW_ERR_DS_ENCODING: a.csv line 3 byte 17: not UTF-8");
    expect(e.place).toEqual({ file: "a.csv", line: 3, byteOffset: 17 });
    expect(isDatasetError(e)).toBe(true);
    expect(isDatasetError({ name: "DatasetError" })).toBe(true);
    expect(isDatasetError(new Error("x"))).toBe(false);
  });
});
