import { describe, expect, it } from "vitest";
import { safeFileName } from "./file-name.js";

describe("safeFileName", () => {
  it("keeps an ordinary name, letters of any script included", () => {
    expect(safeFileName("t10k-labels-idx1-ubyte.gz")).toBe("t10k-labels-idx1-ubyte.gz");
    expect(safeFileName("données-été.csv")).toBe("données-été.csv");
  });

  it("replaces what a file system may refuse, never starts with a dot, and is never empty", () => {
    expect(safeFileName('a:b*c?"d')).toBe("a_b_c_d");
    expect(safeFileName("../etc\u0000x")).toBe("__etc_x");
    expect(safeFileName(".hidden")).toBe("_hidden");
    expect(safeFileName("")).toBe("dataset");
  });
});
