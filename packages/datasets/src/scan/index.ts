/**
 * `@cyxwiz/datasets/scan`: the personal-data scan (seed §4.3) over Apache Arrow tables and
 * batches, in the browser and Node alike. docs/personal-data.md describes the detectors, their
 * validators and the classification rule.
 */

export { NOTHING_FOUND_CLASSIFICATION, suggestClassification } from "./classification-rule.js";
export type { CustomPattern } from "./custom-pattern.js";
export type { Verdict } from "./detector.js";
export type { BuiltInFindingType } from "./detector-registry.js";
export { BUILT_IN_FINDING_TYPES, isBuiltInFindingType } from "./detector-registry.js";
export { luhnValid } from "./luhn.js";
export type { ScanErrorCode } from "./scan-error.js";
export { isScanError, SCAN_ERROR_CODES, ScanError } from "./scan-error.js";
export type { ColumnReport, Finding, Scanner, ScanReport } from "./scanner.js";
export { createScanner, MAX_EXAMPLES, scanTable } from "./scanner.js";
export type { FindingType, ScanOptions, ValueDetector } from "./value-detector.js";
export { createValueDetector } from "./value-detector.js";
