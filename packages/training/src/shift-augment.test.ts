import { describe, expect, it } from "vitest";
import { imageRegions, shiftImages } from "./shift-augment.js";

/** One 5×5 single-channel image per row, each with one lit pixel at (2, 2), then a scalar 7. */
function rows(n: number): Float32Array {
  const f = new Float32Array(n * 26);
  for (let r = 0; r < n; r++) {
    f[r * 26 + 2 * 5 + 2] = 1;
    f[r * 26 + 25] = 7;
  }
  return f;
}
const regions = imageRegions([{ shape: [5, 5] }, { shape: [] }]);
const key = { seed: 3, epoch: 1, chunk: 0 };

describe("shift augmentation", () => {
  it("finds the images among the feature columns: 2- and 3-dimensional tensors, at their offsets", () => {
    expect(regions).toEqual([{ offset: 0, height: 5, width: 5, channels: 1 }]);
    expect(imageRegions([{ shape: [] }, { shape: [784] }, { shape: [4, 6, 3] }])).toEqual([
      { offset: 785, height: 4, width: 6, channels: 3 },
    ]);
  });

  it("moves each image's pixel by at most k each way, a different offset per row, and leaves other columns alone", () => {
    const f = rows(200);
    shiftImages(f, 26, regions, 2, key);
    const offsets = new Set<string>();
    for (let r = 0; r < 200; r++) {
      const image = f.subarray(r * 26, r * 26 + 25);
      const lit = [...image.keys()].filter((i) => image[i] === 1);
      expect(lit).toHaveLength(1); // |shift| ≤ 2 keeps the centre pixel inside a 5×5 frame
      const [y, x] = [Math.floor(lit[0]! / 5), lit[0]! % 5];
      expect(Math.abs(y - 2)).toBeLessThanOrEqual(2);
      expect(Math.abs(x - 2)).toBeLessThanOrEqual(2);
      expect(image.reduce((a, b) => a + b, 0)).toBe(1);
      expect(f[r * 26 + 25]).toBe(7);
      offsets.add(`${y},${x}`);
    }
    expect(offsets.size).toBe(25); // every offset of [-2, 2]² turns up in 200 rows
  });

  it("zero-fills the edge it uncovers: a full image keeps (h - |dy|) × (w - |dx|) lit pixels", () => {
    const f = new Float32Array(50 * 25).fill(1);
    shiftImages(f, 25, imageRegions([{ shape: [5, 5] }]), 1, key);
    for (let r = 0; r < 50; r++) {
      const sum = f.subarray(r * 25, (r + 1) * 25).reduce((a, b) => a + b, 0);
      expect([25, 20, 16]).toContain(sum); // no shift; one axis by 1; both by 1
    }
  });

  it("is a function of (seed, epoch, chunk): the same key repeats the shifts, another epoch changes them", () => {
    const a = rows(50);
    const b = rows(50);
    const c = rows(50);
    shiftImages(a, 26, regions, 2, key);
    shiftImages(b, 26, regions, 2, key);
    shiftImages(c, 26, regions, 2, { ...key, epoch: 2 });
    expect(b).toEqual(a);
    expect(c).not.toEqual(a);
  });

  it("changes nothing at 0, and refuses a bad k or features with no image", () => {
    const f = rows(3);
    shiftImages(f, 26, regions, 0, key);
    expect(f).toEqual(rows(3));
    expect(() => shiftImages(f, 26, regions, -1, key)).toThrow(/CYXW_ERR_TR_BAD_OPTION|shiftPixels/);
    expect(() => shiftImages(f, 26, regions, 1.5, key)).toThrow(/shiftPixels/);
    expect(() => shiftImages(f, 26, [], 1, key)).toThrow(/needs an image feature column/);
  });
});
