/**
 * `@cyxwiz/protocol/vocab`: the named lists the gateway, the client, the CLI and the dashboard
 * share (compression codecs, data classifications and their data policies, the compute plane's
 * aggregation rules, evaluation splits and state words), each with its proto mapping and labels.
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
export type { AggregationRule, EvaluationSplit } from "./compute.js";
export {
  AGGREGATION_RULES,
  EVALUATION_SPLITS,
  isJobFinished,
  jobStateName,
  MAX_AUGMENT_SHIFT_PIXELS,
  MAX_SERVER_LEARNING_RATE,
  nodeKindName,
  nodeStateName,
  roundCloseName,
  workerStateName,
} from "./compute.js";
export type {
  DataPolicy,
  DataPolicyOverrides,
  PolicyViolation,
  StoredForm,
} from "./data-policy.js";
export {
  checkPolicy,
  DATA_POLICY_FIELDS,
  DataPolicyError,
  DEFAULT_POLICIES,
  ESCROW_ALLOWED,
  isDataPolicyError,
  MAX_ALLOWED_REGIONS,
  MAX_CACHE_TTL_HOURS,
  MAX_EXPIRE_AFTER_DAYS,
  MAX_REPUTATION,
  policyChanges,
  policyFor,
  policyViolations,
  REGION_PATTERN,
  UNENCRYPTED_ALLOWED,
} from "./data-policy.js";
export { overridesFromProto, overridesToProto, policyFromProto, policyToProto } from "./data-policy-proto.js";
