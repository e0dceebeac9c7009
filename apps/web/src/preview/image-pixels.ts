import type { PreviewImage } from "./preview-types.js";

/** What {@link imageToRgba} makes of an image. */
export type RgbaResult =
  | { readonly ok: true; readonly rgba: Uint8ClampedArray<ArrayBuffer> }
  | { readonly ok: false; readonly message: string };

/**
 * The image as RGBA bytes, as a canvas's `ImageData` wants them: grey repeated into R, G and B,
 * RGB given full opacity, RGBA kept. An image whose size does not fit its pixel bytes is an
 * expected outcome (bad data to show), returned with a message naming the label and both sizes.
 */
export function imageToRgba(image: PreviewImage): RgbaResult {
  const { width, height, channels, pixels, label } = image;
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1)
    return { ok: false, message: `${label}: ${width}×${height} is not an image size` };
  if (channels !== 1 && channels !== 3 && channels !== 4)
    return { ok: false, message: `${label}: ${String(channels)} channels (1, 3 or 4 expected)` };
  const expected = width * height * channels;
  if (pixels.length !== expected)
    return {
      ok: false,
      message: `${label}: ${pixels.length} bytes for ${width}×${height}×${channels} (${expected} expected)`,
    };
  const n = width * height;
  const rgba = new Uint8ClampedArray(n * 4);
  for (let i = 0; i < n; i++) {
    const o = i * 4;
    if (channels === 1) {
      const g = pixels[i]!;
      rgba[o] = g;
      rgba[o + 1] = g;
      rgba[o + 2] = g;
      rgba[o + 3] = 255;
    } else {
      const s = i * channels;
      rgba[o] = pixels[s]!;
      rgba[o + 1] = pixels[s + 1]!;
      rgba[o + 2] = pixels[s + 2]!;
      rgba[o + 3] = channels === 4 ? pixels[s + 3]! : 255;
    }
  }
  return { ok: true, rgba };
}
