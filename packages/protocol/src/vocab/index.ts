/**
 * `@cyxwiz/protocol/vocab`: the named lists the gateway, the client, the CLI and the dashboard
 * share (compression codecs, data classifications), each with its proto mapping and labels.
 */

export type {
  ClassificationEntry,
  ClassificationInfo,
  ClassificationName,
  StoredClassification,
} from "./classifications.js";
export {
  CLASSIFICATION_NAMES,
  CLASSIFICATIONS,
  classificationFromName,
  classificationFromProto,
  classificationFromStored,
  classificationLabel,
  classificationName,
  STORED_CLASSIFICATIONS,
} from "./classifications.js";
export type { CodecEntry, CodecInfo, CodecName } from "./codecs.js";
export { CODEC_NAMES, CODECS, codecFromName, codecInfo, codecName, isCodecName } from "./codecs.js";
