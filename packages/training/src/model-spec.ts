import { TrainingError } from "./training-error.js";

/** The layer types a model spec may use. */
export const LAYER_TYPES = ["dense", "conv2d", "maxPooling2d", "flatten", "dropout"] as const;
export type LayerType = (typeof LAYER_TYPES)[number];

/** The activations a layer may use. */
export const ACTIVATIONS = ["relu", "softmax", "sigmoid", "tanh", "linear"] as const;
export type Activation = (typeof ACTIVATIONS)[number];

/** The optimizers buildModel compiles with. */
export const OPTIMIZERS = ["sgd", "adam"] as const;
export type OptimizerName = (typeof OPTIMIZERS)[number];

export interface LayerSpec {
  readonly type: LayerType;
  readonly units?: number;
  readonly filters?: number;
  readonly kernelSize?: number;
  readonly poolSize?: number;
  readonly rate?: number;
  readonly activation?: Activation;
}

/** A model as plain JSON (docs/training.md "Model spec"). The output layer is added by buildModel. */
export interface ModelSpec {
  /** The shape of one sample, e.g. [784] or [28, 28, 1]. */
  readonly inputShape: readonly number[];
  readonly layers: readonly LayerSpec[];
  readonly optimizer?: OptimizerName;
  readonly learningRate?: number;
}

const isPositiveInt = (v: unknown): v is number => typeof v === "number" && Number.isInteger(v) && v > 0;

function bad(where: string, detail: string): never {
  throw new TrainingError("CYXW_ERR_TR_BAD_SPEC", `${where}: ${detail}`);
}

/**
 * Checks an untrusted value is a ModelSpec and returns it typed.
 * @throws TrainingError CYXW_ERR_TR_BAD_SPEC naming the layer index and field ("layers[2].units: ...").
 */
export function validateModelSpec(value: unknown): ModelSpec {
  if (typeof value !== "object" || value === null) bad("spec", "is not an object");
  const spec = value as Record<string, unknown>;
  const inputShape = spec.inputShape;
  if (!Array.isArray(inputShape) || inputShape.length === 0 || !inputShape.every(isPositiveInt))
    bad("inputShape", "must be a non-empty array of positive integers");
  if (spec.optimizer !== undefined && !OPTIMIZERS.includes(spec.optimizer as OptimizerName))
    bad("optimizer", `must be one of ${OPTIMIZERS.join(", ")}`);
  if (
    spec.learningRate !== undefined &&
    (typeof spec.learningRate !== "number" || !(spec.learningRate > 0) || !Number.isFinite(spec.learningRate))
  )
    bad("learningRate", "must be a positive finite number");
  if (!Array.isArray(spec.layers)) bad("layers", "must be an array");
  let rank = inputShape.length;
  spec.layers.forEach((raw: unknown, i: number) => {
    const at = `layers[${i}]`;
    if (typeof raw !== "object" || raw === null) bad(at, "is not an object");
    const layer = raw as Record<string, unknown>;
    if (!LAYER_TYPES.includes(layer.type as LayerType)) bad(`${at}.type`, `must be one of ${LAYER_TYPES.join(", ")}`);
    if (layer.activation !== undefined && !ACTIVATIONS.includes(layer.activation as Activation))
      bad(`${at}.activation`, `must be one of ${ACTIVATIONS.join(", ")}`);
    const need = (field: string) => {
      if (!isPositiveInt(layer[field])) bad(`${at}.${field}`, "must be a positive integer");
    };
    switch (layer.type as LayerType) {
      case "dense":
        need("units");
        if (rank !== 1) bad(`${at}.type`, "dense needs a flat input: add a flatten layer before it");
        break;
      case "conv2d":
        need("filters");
        need("kernelSize");
        if (rank !== 3) bad(`${at}.type`, "conv2d needs an input of rank 3 [height, width, channels]");
        break;
      case "maxPooling2d":
        need("poolSize");
        if (rank !== 3) bad(`${at}.type`, "maxPooling2d needs an input of rank 3 [height, width, channels]");
        break;
      case "flatten":
        rank = 1;
        break;
      case "dropout":
        if (typeof layer.rate !== "number" || !(layer.rate >= 0 && layer.rate < 1))
          bad(`${at}.rate`, "must be a number in [0, 1)");
        break;
    }
  });
  if (rank !== 1) bad("layers", "must end with a flat output: add a flatten layer");
  return value as ModelSpec;
}

/** True when the spec has a layer the WASM backend cannot train (docs/training.md "Backend choice"). */
export function hasConvLayers(spec: ModelSpec): boolean {
  return spec.layers.some((l) => l.type === "conv2d" || l.type === "maxPooling2d");
}
