import { CLASSIFICATIONS, type ClassificationName } from "@cyxwiz/protocol/vocab";

/**
 * What a dataset with nothing found is suggested: the scan cannot prove data is free of personal
 * data (names, addresses and free text pass unseen), so it never suggests `public`.
 */
export const NOTHING_FOUND_CLASSIFICATION: ClassificationName = "internal";

/**
 * The suggestion rule (docs/personal-data.md): the highest classification among the types found
 * at least once (ssn and credit_card are restricted, email, phone and ip confidential, a custom
 * pattern as its owner said), or {@link NOTHING_FOUND_CLASSIFICATION} when nothing was found.
 */
export function suggestClassification(found: readonly ClassificationName[]): ClassificationName {
  const rank = (name: ClassificationName) => CLASSIFICATIONS.findIndex((c) => c.name === name);
  let best = NOTHING_FOUND_CLASSIFICATION;
  for (const name of found) if (rank(name) > rank(best)) best = name;
  return best;
}
