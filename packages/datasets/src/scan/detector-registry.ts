import { creditCardDetector } from "./credit-card-detector.js";
import type { Detector } from "./detector.js";
import { emailDetector } from "./email-detector.js";
import { ipDetector } from "./ip-detector.js";
import { phoneDetector } from "./phone-detector.js";
import { ssnDetector } from "./ssn-detector.js";

/**
 * The built-in detectors, in report order (seed §4.3's five patterns). The one list of built-in
 * finding types: the scan, the CLI's `--types` and the docs' table read it.
 */
const DETECTORS = {
  email: emailDetector,
  phone: phoneDetector,
  ssn: ssnDetector,
  credit_card: creditCardDetector,
  ip: ipDetector,
} as const satisfies Record<string, Detector>;

/** A built-in finding type: `email`, `phone`, `ssn`, `credit_card` or `ip`. */
export type BuiltInFindingType = keyof typeof DETECTORS;

/** The built-in finding types, in report order. */
export const BUILT_IN_FINDING_TYPES = Object.keys(DETECTORS) as readonly BuiltInFindingType[];

/** Whether `name` is a built-in finding type. */
export function isBuiltInFindingType(name: string): name is BuiltInFindingType {
  return Object.hasOwn(DETECTORS, name);
}

/** The detector of a built-in finding type. */
export function detectorFor(type: BuiltInFindingType): Detector {
  return DETECTORS[type];
}
