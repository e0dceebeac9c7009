import type { GetModelResponse } from "@cyxwiz/protocol/gen";

/** The two files of a trained model as TF.js loads them: model.json and the weights file it names. */
export interface ModelFiles {
  readonly modelJson: { readonly name: "model.json"; readonly text: string };
  readonly weights: { readonly name: string; readonly bytes: Uint8Array };
}

/**
 * The files to save for a GetModel answer. The weights file takes the name model.json's weights
 * manifest gives it (TF.js's `loadLayersModel` fetches it by that name, beside model.json), or
 * "weights.bin" when model.json names none.
 *
 * @throws SyntaxError when model_json is not JSON; RangeError when it names more than one weights
 *   file or a path that is not a plain file name (GetModel sends exactly one file).
 */
export function modelFiles(model: GetModelResponse): ModelFiles {
  const parsed = JSON.parse(model.modelJson) as { weightsManifest?: { paths?: unknown }[] };
  const paths = (parsed.weightsManifest ?? []).flatMap((g) => (Array.isArray(g.paths) ? g.paths : []));
  if (paths.length > 1) throw new RangeError(`model.json names ${paths.length} weights files; GetModel sends one`);
  const name = paths.length === 1 ? String(paths[0]) : "weights.bin";
  if (!/^[A-Za-z0-9._-]+$/.test(name) || name === "." || name === "..")
    throw new RangeError(`model.json names the weights file ${JSON.stringify(name)}, which is not a plain file name`);
  return { modelJson: { name: "model.json", text: model.modelJson }, weights: { name, bytes: model.weights } };
}
