"use client";

import { useEffect, useRef } from "react";
import { imageToRgba } from "./image-pixels.js";
import type { ImageGridProps, PreviewImage } from "./preview-types.js";

/** Thumbnails of image samples, painted on canvases from their pixels, each labelled. */
export function ImageGrid({ images, thumbnailSize = 96, caption }: ImageGridProps) {
  return (
    <figure className="image-grid-figure" data-testid="image-grid">
      <ul className="image-grid" style={{ gridTemplateColumns: `repeat(auto-fill, minmax(${thumbnailSize}px, 1fr))` }}>
        {images.map((image, i) => (
          // biome-ignore lint/suspicious/noArrayIndexKey: labels repeat (many "7"s): the position is the identity
          <li key={i} className="image-tile" data-testid={`image-tile-${i}`}>
            <Thumbnail image={image} size={thumbnailSize} />
            <span className="image-label">{image.label}</span>
          </li>
        ))}
      </ul>
      {caption !== undefined && <figcaption className="muted small">{caption}</figcaption>}
    </figure>
  );
}

function Thumbnail({ image, size }: { image: PreviewImage; size: number }) {
  const canvas = useRef<HTMLCanvasElement>(null);
  const converted = imageToRgba(image);
  const scale = size / Math.max(image.width, image.height, 1);

  useEffect(() => {
    const c = canvas.current;
    const context = c?.getContext("2d");
    if (c == null || context == null || !converted.ok) return;
    context.putImageData(new ImageData(converted.rgba, image.width, image.height), 0, 0);
  });

  if (!converted.ok)
    return (
      <span className="image-error error small" role="img" aria-label={converted.message}>
        {converted.message}
      </span>
    );
  return (
    <canvas
      ref={canvas}
      width={image.width}
      height={image.height}
      role="img"
      aria-label={image.label}
      style={{ width: image.width * scale, height: image.height * scale }}
    />
  );
}
