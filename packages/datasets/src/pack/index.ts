/**
 * `@cyxwiz/datasets/pack`: from dataset files to chunks of whole samples and the manifest's
 * sample layout, the one path the dashboard's upload worker and the CLI share
 * (docs/dataset-formats.md).
 */
export { arrowFileOf, arrowFileOfTables } from "./arrow-file.js";
export { chunkListSource } from "./chunk-list-source.js";
export { checkSplit, DEFAULT_SPLIT, type SplitPart, type SplitSpec, splitOf } from "./dataset-split.js";
export {
  type PackOrderStrategy,
  type PreparedSamples,
  type PrepareSamplesOptions,
  prepareSamples,
} from "./prepare-samples.js";
export { type PackedOrder, sampleLayoutOf, summaryOfLayout } from "./sample-layout-proto.js";
