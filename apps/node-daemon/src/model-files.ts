import { mkdir, rename, writeFile } from "node:fs/promises";
import { basename, join } from "node:path";
import { verificationFailed } from "./exit-codes.js";

/** The name TF.js's `model.json` is saved and loaded under. */
export const MODEL_JSON_FILE = "model.json";

/** Bytes per element of the dtypes a TF.js weights manifest may name (stored, or quantized to). */
const DTYPE_BYTES: Readonly<Record<string, number>> = {
  float32: 4,
  int32: 4,
  bool: 1,
  uint8: 1,
  uint16: 2,
  float16: 2,
};

interface WeightSpec {
  name?: unknown;
  shape?: unknown;
  dtype?: unknown;
  quantization?: { dtype?: unknown };
}

/**
 * Checks a GetModel answer: `modelJson` is TF.js's model.json whose weights manifest names exactly
 * one weights file (a plain file name), and `weights` holds exactly the bytes its weight specs
 * describe. Returns that file name.
 *
 * @throws CliError (exit 1: the model does not verify) naming what is wrong.
 */
export function weightsFileOf(modelJson: string, weights: Uint8Array): string {
  let model: { modelTopology?: unknown; weightsManifest?: { paths?: unknown; weights?: unknown }[] };
  try {
    model = JSON.parse(modelJson);
  } catch (e) {
    throw verificationFailed(`the gateway's model.json is not JSON: ${(e as Error).message}`);
  }
  if (typeof model !== "object" || model === null || model.modelTopology === undefined)
    throw verificationFailed("the gateway's model.json has no modelTopology");
  const groups = Array.isArray(model.weightsManifest) ? model.weightsManifest : [];
  const paths = groups.flatMap((g) => (Array.isArray(g.paths) ? g.paths : []));
  if (paths.length !== 1 || typeof paths[0] !== "string")
    throw verificationFailed(`the gateway's model.json names ${paths.length} weights files; expected exactly one`);
  const file = paths[0];
  if (
    file === "" ||
    file === "." ||
    file === ".." ||
    file === MODEL_JSON_FILE ||
    basename(file) !== file ||
    file.includes("\\")
  )
    throw verificationFailed(
      `the gateway's model.json names the weights file ${JSON.stringify(file)}: not a plain file name`,
    );
  let expected = 0;
  for (const [i, spec] of groups
    .flatMap((g) => (Array.isArray(g.weights) ? (g.weights as WeightSpec[]) : []))
    .entries()) {
    const shape = spec.shape;
    const dtype = spec.quantization?.dtype ?? spec.dtype;
    const size = typeof dtype === "string" ? DTYPE_BYTES[dtype] : undefined;
    if (!Array.isArray(shape) || !shape.every((d) => Number.isInteger(d) && d >= 0) || size === undefined)
      throw verificationFailed(
        `the gateway's model.json: weight ${i} (${String(spec.name)}) has no usable shape and dtype`,
      );
    expected += (shape as number[]).reduce((a, b) => a * b, 1) * size;
  }
  if (expected !== weights.length)
    throw verificationFailed(
      `the gateway sent ${weights.length} bytes of weights; model.json describes ${expected} bytes`,
    );
  return file;
}

/**
 * Writes `model.json` and its weights file into `dir` (created if missing), each to a temporary
 * name first, the weights before model.json, so a directory with model.json is complete.
 * @returns the two paths.
 */
export async function writeModelFiles(
  dir: string,
  modelJson: string,
  weightsFile: string,
  weights: Uint8Array,
): Promise<{ modelPath: string; weightsPath: string }> {
  await mkdir(dir, { recursive: true });
  const modelPath = join(dir, MODEL_JSON_FILE);
  const weightsPath = join(dir, weightsFile);
  await writeFile(`${weightsPath}.partial`, weights);
  await rename(`${weightsPath}.partial`, weightsPath);
  await writeFile(`${modelPath}.partial`, modelJson);
  await rename(`${modelPath}.partial`, modelPath);
  return { modelPath, weightsPath };
}
