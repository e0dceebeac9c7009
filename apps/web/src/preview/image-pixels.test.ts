import { describe, expect, it } from "vitest";
import { imageToRgba } from "./image-pixels.js";

describe("imageToRgba", () => {
  it("spreads grey into R, G and B with full opacity", () => {
    const r = imageToRgba({ label: "g", width: 2, height: 1, channels: 1, pixels: Uint8Array.of(0, 200) });
    expect(r).toEqual({ ok: true, rgba: Uint8ClampedArray.of(0, 0, 0, 255, 200, 200, 200, 255) });
  });

  it("gives RGB full opacity and keeps RGBA as it is", () => {
    expect(imageToRgba({ label: "c", width: 1, height: 1, channels: 3, pixels: Uint8Array.of(1, 2, 3) })).toEqual({
      ok: true,
      rgba: Uint8ClampedArray.of(1, 2, 3, 255),
    });
    expect(imageToRgba({ label: "a", width: 1, height: 1, channels: 4, pixels: Uint8Array.of(1, 2, 3, 4) })).toEqual({
      ok: true,
      rgba: Uint8ClampedArray.of(1, 2, 3, 4),
    });
  });

  it("names the image and both sizes when the bytes do not fit", () => {
    const r = imageToRgba({ label: "seven", width: 28, height: 28, channels: 3, pixels: new Uint8Array(784) });
    expect(r).toEqual({ ok: false, message: "seven: 784 bytes for 28×28×3 (2352 expected)" });
  });

  it("refuses a size that is not an image", () => {
    const r = imageToRgba({ label: "z", width: 0, height: 5, channels: 1, pixels: new Uint8Array(0) });
    expect(r).toEqual({ ok: false, message: "z: 0×5 is not an image size" });
  });
});
