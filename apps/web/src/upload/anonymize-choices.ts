import { ANONYMIZER_NAMES, type ColumnOperatorName, type PlanStep } from "@cyxwiz/datasets/anonymize";
import { CLASSIFICATION_NAMES, type ClassificationName } from "@cyxwiz/protocol/vocab";

/** The per-column anonymizers the upload page offers (the list lives in @cyxwiz/datasets/anonymize). */
export const COLUMN_OPERATORS: readonly ColumnOperatorName[] = ANONYMIZER_NAMES.filter(
  (n): n is ColumnOperatorName => n !== "kAnonymity",
);

/** What the owner decided for one flagged column: an operator with its minimal parameters, or keep it as is. */
export type ColumnDecision =
  | { readonly operator: "keep" }
  | { readonly operator: "mask"; readonly keep: number }
  | { readonly operator: "hash" }
  | { readonly operator: "generalize"; readonly kind: "prefix" | "bin"; readonly amount: number }
  | { readonly operator: "suppress" }
  | { readonly operator: "noise"; readonly epsilon: number; readonly sensitivity: number };

/** The decision a newly chosen operator starts with (its parameters at their defaults). */
export function defaultDecision(operator: ColumnOperatorName | "keep"): ColumnDecision {
  switch (operator) {
    case "mask":
      return { operator, keep: 4 };
    case "generalize":
      return { operator, kind: "prefix", amount: 3 };
    case "noise":
      return { operator, epsilon: 1, sensitivity: 1 };
    default:
      return { operator };
  }
}

/** Optional k-anonymity over quasi-identifier columns (each generalised by its prefix, shorter at each level). */
export interface KAnonymityChoice {
  readonly columns: readonly string[];
  readonly k: number;
}

/** A scanned column as the page knows it: its name and the classification its findings call for. */
export interface FlaggedColumn {
  readonly name: string;
  /** The highest classification among its finding types (docs/personal-data.md). */
  readonly classification: ClassificationName;
}

/** Whether a classification is Confidential or above (CLASSIFICATION_NAMES is lowest first). */
export function atLeastConfidential(c: ClassificationName): boolean {
  return CLASSIFICATION_NAMES.indexOf(c) >= CLASSIFICATION_NAMES.indexOf("confidential");
}

/**
 * The columns that block the upload: flagged at Confidential or above (an email, phone or ip
 * column; ssn and credit_card are Restricted) with neither an operator nor an explicit "keep".
 */
export function columnsNeedingDecision(
  columns: readonly FlaggedColumn[],
  decisions: Readonly<Record<string, ColumnDecision | undefined>>,
): string[] {
  return columns
    .filter((c) => atLeastConfidential(c.classification) && decisions[c.name] === undefined)
    .map((c) => c.name);
}

/** The sentence under a disabled Upload button, or undefined when nothing blocks it. */
export function decisionSentence(names: readonly string[]): string | undefined {
  if (names.length === 0) return undefined;
  const list = names.map((n) => `“${n}”`).join(", ");
  return names.length === 1
    ? `Column ${list} holds personal data: choose an anonymizer or “keep as is” before uploading.`
    : `Columns ${list} hold personal data: choose an anonymizer or “keep as is” for each before uploading.`;
}

/**
 * The anonymizer plan of the owner's choices (docs/personal-data.md): one step per column with an
 * operator ("keep" adds none), then k-anonymity when chosen over at least one column.
 *
 * @throws RangeError naming the column for a parameter out of range (the form checks first).
 */
export function planFromDecisions(
  decisions: Readonly<Record<string, ColumnDecision | undefined>>,
  kAnonymity?: KAnonymityChoice,
): PlanStep[] {
  const plan: PlanStep[] = [];
  for (const [column, d] of Object.entries(decisions)) {
    if (d === undefined) continue;
    switch (d.operator) {
      case "keep":
        break;
      case "mask":
        plan.push({ column, operator: "mask", params: { keep: whole(d.keep, 0, `mask of "${column}": keep`) } });
        break;
      case "hash":
        plan.push({ column, operator: "hash" });
        break;
      case "generalize": {
        const amount = whole(d.amount, 1, `generalize of "${column}"`);
        plan.push({
          column,
          operator: "generalize",
          params: d.kind === "prefix" ? { kind: "prefix", length: amount } : { kind: "bin", width: amount },
        });
        break;
      }
      case "suppress":
        plan.push({ column, operator: "suppress" });
        break;
      case "noise":
        if (!(d.epsilon > 0) || !(d.sensitivity > 0))
          throw new RangeError(`noise of "${column}": epsilon and sensitivity must be greater than 0`);
        plan.push({ column, operator: "noise", params: { epsilon: d.epsilon, sensitivity: d.sensitivity } });
        break;
    }
  }
  if (kAnonymity !== undefined && kAnonymity.columns.length > 0) {
    const k = whole(kAnonymity.k, 1, "k-anonymity: k");
    const hierarchies = Object.fromEntries(
      kAnonymity.columns.map((c) => [c, [4, 3, 2, 1, 0].map((length) => ({ kind: "prefix" as const, length }))]),
    );
    plan.push({ columns: [...kAnonymity.columns], operator: "kAnonymity", params: { k, hierarchies } });
  }
  return plan;
}

function whole(n: number, min: number, what: string): number {
  if (!Number.isSafeInteger(n) || n < min) throw new RangeError(`${what} must be a whole number of at least ${min}`);
  return n;
}
