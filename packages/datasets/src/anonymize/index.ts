/**
 * `@cyxwiz/datasets/anonymize`: the anonymizers (seed §4.3) over Apache Arrow tables, in the
 * browser and Node alike: mask, hash, generalize, suppress, noise and k-anonymity.
 * docs/personal-data.md describes each operator and its parameters.
 */

export type { AnonymizeErrorCode } from "./anonymize-error.js";
export { ANONYMIZE_ERROR_CODES, AnonymizeError, isAnonymizeError } from "./anonymize-error.js";
export type { AnonymizeOptions, AnonymizeReport, PlanStep, StepReport } from "./apply-anonymizers.js";
export { applyAnonymizers } from "./apply-anonymizers.js";
export { cryptoRandom } from "./crypto-random.js";
export type { GeneralizeParams } from "./generalize-value.js";
export type { HashParams } from "./hash-operator.js";
export { createPseudonymizer, MIN_OWNER_KEY_BYTES, pseudonym } from "./hash-operator.js";
export type { KAnonymityParams } from "./k-anonymity.js";
export type { MaskParams } from "./mask-operator.js";
export { maskText } from "./mask-operator.js";
export type { NoiseParams } from "./noise-operator.js";
export { laplaceSample } from "./noise-operator.js";
export type { AnonymizerName, ColumnOperatorName } from "./operator-registry.js";
export { ANONYMIZER_NAMES } from "./operator-registry.js";
export { createSeededRandom } from "./seeded-random.js";
