import { describe, expect, it } from "vitest";
import { groupFiles, inputPathOf } from "./dataset-grouping.js";

const file = (name: string, webkitRelativePath = "") => ({ name, webkitRelativePath });

describe("files chosen together", () => {
  it("keeps IDX images and labels, a folder, or a set of images as one dataset", () => {
    const idx = [file("t10k-images-idx3-ubyte.gz"), file("t10k-labels-idx1-ubyte.gz")];
    expect(groupFiles(idx)).toEqual([idx]);
    const folder = [file("a.png", "pets/cat/a.png"), file("b.png", "pets/dog/b.png")];
    expect(groupFiles(folder)).toEqual([folder]);
    expect(inputPathOf(folder[0]!)).toBe("pets/cat/a.png");
    expect(groupFiles([file("a.png"), file("b.jpg")])).toHaveLength(1);
  });

  it("uploads other files one dataset each", () => {
    const two = [file("a.csv"), file("b.bin")];
    expect(groupFiles(two)).toEqual([[two[0]], [two[1]]]);
    expect(inputPathOf(two[0]!)).toBe("a.csv");
  });
});
