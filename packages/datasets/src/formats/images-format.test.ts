import * as arrow from "apache-arrow";
import { encode as encodePng } from "fast-png";
import { zipSync } from "fflate";
import { describe, expect, it } from "vitest";
import { datasetFailure } from "../../test-support/expect-failure.js";
import { collect, memoryFile } from "../../test-support/sample-files.js";
import { readSamples } from "./read-samples.js";
import { tensorInfo } from "./tensor-field.js";

const GREY_200_JPEG =
  "/9j/4AAQSkZJRgABAQAAAQABAAD/2wCEAAMCAgMCAgMDAwMEAwMEBQgFBQQEBQoHBwYIDAoMDAsKCwsNDhIQDQ4RDgsLEBYQERMUFRUVDA8XGBYUGBIUFRQBAwQEBQQFCQUFCRQNCw0UFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFP/AABEIAAIAAgMBEQACEQEDEQH/xAGiAAABBQEBAQEBAQAAAAAAAAAAAQIDBAUGBwgJCgsQAAIBAwMCBAMFBQQEAAABfQECAwAEEQUSITFBBhNRYQcicRQygZGhCCNCscEVUtHwJDNicoIJChYXGBkaJSYnKCkqNDU2Nzg5OkNERUZHSElKU1RVVldYWVpjZGVmZ2hpanN0dXZ3eHl6g4SFhoeIiYqSk5SVlpeYmZqio6Slpqeoqaqys7S1tre4ubrCw8TFxsfIycrS09TV1tfY2drh4uPk5ebn6Onq8fLz9PX29/j5+gEAAwEBAQEBAQEBAQAAAAAAAAECAwQFBgcICQoLEQACAQIEBAMEBwUEBAABAncAAQIDEQQFITEGEkFRB2FxEyIygQgUQpGhscEJIzNS8BVictEKFiQ04SXxFxgZGiYnKCkqNTY3ODk6Q0RFRkdISUpTVFVWV1hZWmNkZWZnaGlqc3R1dnd4eXqCg4SFhoeIiYqSk5SVlpeYmZqio6Slpqeoqaqys7S1tre4ubrCw8TFxsfIycrS09TV1tfY2dri4+Tl5ufo6ery8/T19vf4+fr/2gAMAwEAAhEDEQA/APsCgD//2Q==";

function rgbPng(width: number, height: number, seed: number): { bytes: Uint8Array; data: Uint8Array } {
  const data = Uint8Array.from({ length: width * height * 3 }, (_, i) => (i * 13 + seed * 29) % 256);
  return { bytes: encodePng({ width, height, data, channels: 3, depth: 8 }), data };
}

describe("images", () => {
  it("a folder of PNGs: path order, labels from sub-folders, exact pixels in a [h, w, c] uint8 tensor", async () => {
    const a = rgbPng(4, 3, 1);
    const b = rgbPng(4, 3, 2);
    const c = rgbPng(4, 3, 3);
    const s = await readSamples([
      memoryFile("pets/dogs/b.png", b.bytes),
      memoryFile("pets/cats/a.png", a.bytes),
      memoryFile("pets/dogs/c.png", c.bytes),
    ]);
    expect(s.format).toBe("images");
    expect(s.labelColumn).toBe("label");
    expect(tensorInfo(s.schema.fields[0]!)).toEqual({ shape: [3, 4, 3], dtype: "uint8" });
    const table = new arrow.Table(await collect(s.batches));
    expect(table.getChild("label")!.toArray()).toEqual(["cats", "dogs", "dogs"]);
    expect((table.getChild("image")!.get(0) as arrow.Vector).toArray()).toEqual(a.data);
    expect((table.getChild("image")!.get(2) as arrow.Vector).toArray()).toEqual(c.data);
  });

  it("a zip of PNG and JPEG images, greyscale first: every image converted to one channel", async () => {
    const grey = encodePng({ width: 2, height: 2, data: Uint8Array.from([0, 64, 128, 255]), channels: 1, depth: 8 });
    // A 2×2 JPEG of grey 200 (jpeg-js encode, quality 90: its encoder needs Node's Buffer, so the bytes are inlined).
    const jpeg = Uint8Array.from(atob(GREY_200_JPEG), (c) => c.charCodeAt(0));
    const zip = zipSync({ "set/a/1.png": grey, "set/b/2.jpg": jpeg, "set/b/.hidden.png": grey });
    const s = await readSamples([memoryFile("set.zip", zip)]);
    expect(s.format).toBe("images");
    expect(tensorInfo(s.schema.fields[0]!)).toEqual({ shape: [2, 2, 1], dtype: "uint8" });
    const table = new arrow.Table(await collect(s.batches));
    expect(table.numRows).toBe(2);
    expect(table.getChild("label")!.toArray()).toEqual(["a", "b"]);
    expect((table.getChild("image")!.get(0) as arrow.Vector).toArray()).toEqual(Uint8Array.from([0, 64, 128, 255]));
    for (const v of (table.getChild("image")!.get(1) as arrow.Vector).toArray() as Uint8Array)
      expect(Math.abs(v - 200)).toBeLessThan(4);
  });

  it("images of different sizes are an error naming the first that differs, unless imageSize resizes them", async () => {
    const files = [
      memoryFile("x/1.png", rgbPng(4, 3, 1).bytes),
      memoryFile("x/2.png", rgbPng(4, 3, 2).bytes),
      memoryFile("y/3.png", rgbPng(5, 3, 3).bytes),
    ];
    const e = await datasetFailure(readSamples(files));
    expect(e.code).toBe("CYXW_ERR_DS_IMAGE_SIZE");
    expect(e.place).toEqual({ file: "y/3.png" });
    expect(e.message).toContain("5×3");
    expect(e.message).toContain("x/1.png is 4×3");
    const resized = await readSamples(files, { imageSize: { width: 2, height: 2 } });
    expect(tensorInfo(resized.schema.fields[0]!)!.shape).toEqual([2, 2, 3]);
    expect(new arrow.Table(await collect(resized.batches)).numRows).toBe(3);
  });
});
