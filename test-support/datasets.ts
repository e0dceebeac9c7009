import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

/** The MNIST test set in the repository (test-data/mnist/README.md: source and licence). */
export const MNIST_DIR = fileURLToPath(new URL("../test-data/mnist/", import.meta.url));

/** The MNIST files, by role. */
export const MNIST_FILES = {
  images: "t10k-images-idx3-ubyte.gz",
  labels: "t10k-labels-idx1-ubyte.gz",
} as const;

/**
 * The path of one MNIST file. @throws Error naming the path when it is missing (a test that needs
 * it fails with this message; it never skips).
 */
export function mnistPath(file: keyof typeof MNIST_FILES): string {
  const path = `${MNIST_DIR}${MNIST_FILES[file]}`;
  if (!existsSync(path)) throw new Error(`the MNIST file ${path} is missing (test-data/mnist/ in the repository)`);
  return path;
}
