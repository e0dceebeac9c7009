import { convertIndexedToRgb, decode as decodePng } from "fast-png";
import { decode as decodeJpeg } from "jpeg-js";
import { DatasetError } from "./dataset-error.js";
import { MAGIC, startsWith } from "./sniff.js";

/** Decoded 8-bit pixels, row-major, `channels` values per pixel. */
export interface Pixels {
  readonly width: number;
  readonly height: number;
  readonly channels: number;
  readonly data: Uint8Array;
}

/**
 * Decodes a PNG (fast-png) or a JPEG (jpeg-js) to 8-bit pixels. Both libraries are pure
 * JavaScript, so Node and every browser give the same pixels (a browser's own decoder may not).
 * PNG: palettes are expanded, 16-bit samples keep their high byte. JPEG: always RGB.
 *
 * @throws DatasetError CYXW_ERR_DS_IMAGE_SIZE naming the file when it cannot be decoded.
 */
export function decodeImage(path: string, bytes: Uint8Array): Pixels {
  try {
    if (startsWith(bytes, MAGIC.png)) {
      const png = decodePng(bytes);
      if (png.palette !== undefined) {
        const data = convertIndexedToRgb(png);
        return { width: png.width, height: png.height, channels: data.length / (png.width * png.height), data };
      }
      if (png.depth === 16) {
        const src = png.data as Uint16Array;
        const data = new Uint8Array(src.length);
        for (let i = 0; i < src.length; i++) data[i] = src[i]! >> 8;
        return { width: png.width, height: png.height, channels: png.channels, data };
      }
      if (png.depth !== 8) throw new Error(`${png.depth}-bit greyscale PNGs are not supported`);
      return {
        width: png.width,
        height: png.height,
        channels: png.channels,
        data: new Uint8Array(png.data.buffer, png.data.byteOffset, png.data.length),
      };
    }
    if (startsWith(bytes, MAGIC.jpeg)) {
      const jpg = decodeJpeg(bytes, { useTArray: true, formatAsRGBA: false, maxMemoryUsageInMB: 1024 });
      return { width: jpg.width, height: jpg.height, channels: 3, data: jpg.data };
    }
  } catch (e) {
    throw new DatasetError(
      "CYXW_ERR_DS_IMAGE_SIZE",
      { file: path },
      `cannot decode the image: ${(e as Error).message}`,
      { cause: e },
    );
  }
  throw new DatasetError("CYXW_ERR_DS_IMAGE_SIZE", { file: path }, "not a PNG or JPEG image");
}

/** Pixels converted to `channels` (1 grey, 2 grey+alpha, 3 RGB, 4 RGBA): grey is repeated, colour becomes grey by integer Rec. 601 luma, alpha is dropped or set to 255. */
export function convertChannels(p: Pixels, channels: number): Pixels {
  if (p.channels === channels) return p;
  const n = p.width * p.height;
  const out = new Uint8Array(n * channels);
  const src = p.data;
  const c = p.channels;
  for (let i = 0; i < n; i++) {
    const s = i * c;
    const grey = c >= 3 ? ((src[s]! * 299 + src[s + 1]! * 587 + src[s + 2]! * 114 + 500) / 1000) | 0 : src[s]!;
    const alpha = c === 2 ? src[s + 1]! : c === 4 ? src[s + 3]! : 255;
    const o = i * channels;
    if (channels <= 2) {
      out[o] = grey;
      if (channels === 2) out[o + 1] = alpha;
    } else {
      out[o] = c >= 3 ? src[s]! : grey;
      out[o + 1] = c >= 3 ? src[s + 1]! : grey;
      out[o + 2] = c >= 3 ? src[s + 2]! : grey;
      if (channels === 4) out[o + 3] = alpha;
    }
  }
  return { width: p.width, height: p.height, channels, data: out };
}

/** Pixels resized to width × height by nearest neighbour (integer arithmetic: the same everywhere). */
export function resizeNearest(p: Pixels, width: number, height: number): Pixels {
  if (p.width === width && p.height === height) return p;
  const out = new Uint8Array(width * height * p.channels);
  for (let y = 0; y < height; y++) {
    const sy = Math.floor((y * p.height) / height);
    for (let x = 0; x < width; x++) {
      const sx = Math.floor((x * p.width) / width);
      const s = (sy * p.width + sx) * p.channels;
      const o = (y * width + x) * p.channels;
      for (let k = 0; k < p.channels; k++) out[o + k] = p.data[s + k]!;
    }
  }
  return { width, height, channels: p.channels, data: out };
}
