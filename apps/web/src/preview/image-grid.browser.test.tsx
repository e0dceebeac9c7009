import { afterEach, describe, expect, it } from "vitest";
import { byTestId, type Rendered, render } from "../testing/render.js";
import { ImageGrid } from "./image-grid.js";

let r: Rendered | undefined;
afterEach(async () => {
  await r?.unmount();
  r = undefined;
});

/** The RGBA of one pixel of a tile's canvas. */
function pixel(tile: HTMLElement, x: number, y: number): number[] {
  const canvas = tile.querySelector("canvas")!;
  return [...canvas.getContext("2d")!.getImageData(x, y, 1, 1).data];
}

describe("ImageGrid", () => {
  it("paints grey, RGB and RGBA images on canvases, each labelled under it", async () => {
    const grey = new Uint8Array(28 * 28).fill(0);
    grey[28 * 3 + 5] = 255; // one white pixel at (5, 3)
    const rgb = Uint8Array.of(255, 0, 0, 0, 255, 0); // 2×1: red, green
    const rgba = Uint8Array.of(0, 0, 255, 128); // 1×1 half-transparent blue
    r = await render(
      <ImageGrid
        images={[
          { label: "seven", width: 28, height: 28, channels: 1, pixels: grey },
          { label: "pair", width: 2, height: 1, channels: 3, pixels: rgb },
          { label: "dot", width: 1, height: 1, channels: 4, pixels: rgba },
        ]}
        thumbnailSize={56}
      />,
    );
    const t0 = byTestId(r.container, "image-tile-0");
    expect(t0.querySelector(".image-label")?.textContent).toBe("seven");
    expect(t0.querySelector("canvas")?.getAttribute("aria-label")).toBe("seven");
    expect(pixel(t0, 5, 3)).toEqual([255, 255, 255, 255]);
    expect(pixel(t0, 0, 0)).toEqual([0, 0, 0, 255]);
    expect(t0.querySelector("canvas")!.getBoundingClientRect().width).toBe(56);
    const t1 = byTestId(r.container, "image-tile-1");
    expect(pixel(t1, 0, 0)).toEqual([255, 0, 0, 255]);
    expect(pixel(t1, 1, 0)).toEqual([0, 255, 0, 255]);
    expect(byTestId(r.container, "image-tile-2").querySelector(".image-label")?.textContent).toBe("dot");
    expect(pixel(byTestId(r.container, "image-tile-2"), 0, 0)[3]).toBe(128);
  });

  it("shows what is wrong with an image whose bytes do not fit its size, and paints the others", async () => {
    r = await render(
      <ImageGrid
        images={[
          { label: "bad", width: 4, height: 4, channels: 3, pixels: new Uint8Array(16) },
          { label: "good", width: 1, height: 1, channels: 1, pixels: Uint8Array.of(9) },
        ]}
      />,
    );
    const bad = byTestId(r.container, "image-tile-0");
    expect(bad.querySelector("canvas")).toBeNull();
    expect(bad.textContent).toContain("bad: 16 bytes for 4×4×3 (48 expected)");
    expect(pixel(byTestId(r.container, "image-tile-1"), 0, 0)).toEqual([9, 9, 9, 255]);
  });
});
