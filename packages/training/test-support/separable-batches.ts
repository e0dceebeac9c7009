import type { SampleBatch } from "../src/sample-batches.js";

/** `count` batches of `size` random 4-feature samples, two classes told apart by the sign of the first feature (seeded). */
export function separableBatches(count: number, size: number): SampleBatch[] {
  let s = 7;
  const r = () => {
    s = (s * 1103515245 + 12345) % 2 ** 31;
    return s / 2 ** 31 - 0.5;
  };
  return Array.from({ length: count }, () => {
    const features = Float32Array.from({ length: size * 4 }, r);
    const labels = Int32Array.from({ length: size }, (_, i) => (features[i * 4]! > 0 ? 1 : 0));
    return { features, labels, size, featureSize: 4 };
  });
}
