/**
 * The benchmark's settings, in one place for the Node and Chromium runs (docs/training.md
 * "Benchmark"). Runtime-neutral.
 */
import type { BackendName } from "../src/index.js";

/** The batch size of every measurement, ours and plain, throughput and convergence. */
export const BATCH_SIZE = 32;

/** Seeds initialWeights and the epoch orders. */
export const SEED = 1;

/**
 * Timed steps per throughput measurement, by backend: about 5 s each on this machine's 2 shared
 * cores (SwiftShader's WebGPU and the cpu backend are slow; MACHINE-NOTES figures in the docs).
 */
export const THROUGHPUT_STEPS: Readonly<Record<BackendName, number>> = { webgpu: 60, wasm: 250, cpu: 100 };
export const WARMUP_STEPS = 10;
/** Measurements of each path per backend (alternating which goes first); the median is reported. */
export const THROUGHPUT_REPEATS = 3;

/** Convergence: MNIST t10k's first 8,000 samples train, the last 2,000 evaluate. */
export const CONVERGENCE = {
  train: 8_000,
  heldOut: 2_000,
  workers: [1, 2, 4],
  /** Each worker count above 1 again with these server learning rates (docs/compute.md "Aggregation"). */
  serverLearningRates: [1.5],
  targetAccuracy: 0.95,
  maxRounds: 25,
} as const;

/** The goals of the issue: ours / plain throughput at least 0.9; samples to target at most 1.2× single process. */
export const GOALS = { minThroughputRatio: 0.9, maxSamplesRatio: 1.2 } as const;
