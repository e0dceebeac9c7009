import { seededRandom } from "@cyxwiz/datasets/sharding";
import { TrainingError } from "./training-error.js";

// Shift augmentation (docs/training.md "Augmentation"): each training image moves by a random
// offset of up to k pixels in x and y, the edge it uncovers zero-filled; a new offset per sample,
// epoch and chunk, the same on a rerun of the round.

/** Where one image lies in a sample's feature vector: `height × width × channels` values from `offset`. */
export interface ImageRegion {
  readonly offset: number;
  readonly height: number;
  readonly width: number;
  readonly channels: number;
}

/**
 * The images among a sample's feature columns: each tensor column of two or more dimensions
 * ([height, width] or [height, width, channels]), at its offset in the concatenated features.
 * `columns` are the feature columns in order, each with its tensor shape ([] for a scalar).
 */
export function imageRegions(columns: readonly { readonly shape: readonly number[] }[]): ImageRegion[] {
  const regions: ImageRegion[] = [];
  let offset = 0;
  for (const { shape } of columns) {
    const size = shape.reduce((a, b) => a * b, 1);
    if (shape.length === 2 || shape.length === 3)
      regions.push({ offset, height: shape[0]!, width: shape[1]!, channels: shape[2] ?? 1 });
    offset += size;
  }
  return regions;
}

/**
 * Shifts every row's images in place by up to `maxShift` pixels each way, zero-filling; offsets
 * drawn from seededRandom("cyxwiz-shift-augment-v1", [seed, epoch, chunk]).
 * @throws TrainingError CYXW_ERR_TR_BAD_OPTION for a bad maxShift or no image to shift.
 */
export function shiftImages(
  features: Float32Array,
  featureSize: number,
  regions: readonly ImageRegion[],
  maxShift: number,
  key: { readonly seed: number; readonly epoch: number; readonly chunk: number },
): void {
  if (!Number.isInteger(maxShift) || maxShift < 0)
    throw new TrainingError("CYXW_ERR_TR_BAD_OPTION", `shiftPixels must be a whole number from 0, not ${maxShift}`);
  if (maxShift === 0) return;
  if (regions.length === 0)
    throw new TrainingError(
      "CYXW_ERR_TR_BAD_OPTION",
      "shift augmentation needs an image feature column (a tensor of 2 or 3 dimensions)",
    );
  const random = seededRandom("cyxwiz-shift-augment-v1", [key.seed, key.epoch, key.chunk]);
  const rows = features.length / featureSize;
  let scratch = new Float32Array(0);
  for (let r = 0; r < rows; r++) {
    for (const g of regions) {
      const dx = random.below(2 * maxShift + 1) - maxShift;
      const dy = random.below(2 * maxShift + 1) - maxShift;
      if (dx === 0 && dy === 0) continue;
      const start = r * featureSize + g.offset;
      const size = g.height * g.width * g.channels;
      if (scratch.length < size) scratch = new Float32Array(size);
      scratch.set(features.subarray(start, start + size));
      const rowWidth = g.width * g.channels;
      for (let y = 0; y < g.height; y++) {
        const sy = y - dy;
        const to = start + y * rowWidth;
        if (sy < 0 || sy >= g.height) {
          features.fill(0, to, to + rowWidth);
          continue;
        }
        for (let x = 0; x < g.width; x++) {
          const sx = x - dx;
          const at = to + x * g.channels;
          if (sx < 0 || sx >= g.width) features.fill(0, at, at + g.channels);
          else
            features.set(scratch.subarray(sy * rowWidth + sx * g.channels, sy * rowWidth + (sx + 1) * g.channels), at);
        }
      }
    }
  }
}
