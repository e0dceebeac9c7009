/**
 * `@cyxwiz/protocol/names`: what a dataset name may be, shared by the gateway (which enforces it)
 * and the dashboard (which asks before uploading).
 */

export {
  codePointLabel,
  datasetNameProblem,
  MAX_DATASET_NAME_LENGTH,
  normalizeDatasetName,
  refusedCharacterIn,
} from "./dataset-name.js";
