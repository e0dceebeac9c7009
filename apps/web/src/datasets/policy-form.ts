import { create } from "@bufbuild/protobuf";
import { type SetDatasetPolicyRequest, SetDatasetPolicyRequestSchema } from "@cyxwiz/protocol/gen";
import {
  CLASSIFICATIONS,
  type ClassificationName,
  classificationFromName,
  DATA_POLICY_FIELDS,
  type DataPolicy,
  type DataPolicyOverrides,
  MAX_EXPIRE_AFTER_DAYS,
  overridesToProto,
  policyFor,
} from "@cyxwiz/protocol/vocab";

/** One line of the policy panel. */
export interface PolicyRow {
  /** Stable key, used in test ids (`dataset-policy-<key>-<ref>`). */
  readonly key: string;
  readonly label: string;
  readonly value: string;
}

const yesNo = (b: boolean) => (b ? "yes" : "no");

/** A version's policy as the panel lists it (docs/data-policy.md). */
export function policyRows(p: DataPolicy): PolicyRow[] {
  return [
    { key: "classification", label: "Classification", value: labelOf(p.classification) },
    { key: "encryption", label: "Encryption required", value: yesNo(p.encryptionRequired) },
    { key: "escrow", label: "Key escrow allowed", value: yesNo(p.keyEscrowAllowed) },
    { key: "min-reputation", label: "Minimum worker reputation", value: String(p.minReputation) },
    { key: "third-party", label: "Third-party workers", value: p.thirdPartyWorkersAllowed ? "allowed" : "not allowed" },
    {
      key: "regions",
      label: "Regions",
      value: p.allowedRegions.length === 0 ? "any" : p.allowedRegions.join(", "),
    },
    {
      key: "cache-ttl",
      label: "Worker cache",
      value: p.cacheTtlHours === 0 ? "no cache" : `${p.cacheTtlHours} h`,
    },
    { key: "secure-delete", label: "Secure delete", value: yesNo(p.secureDelete) },
    {
      key: "expiry",
      label: "Expiry",
      value: p.expireAfterDays === undefined ? "kept until deleted" : `${p.expireAfterDays} days after upload`,
    },
  ];
}

function labelOf(name: ClassificationName): string {
  return CLASSIFICATIONS.find((c) => c.name === name)?.label ?? name;
}

/** What the owner typed in the policy form. */
export interface PolicyFormInput {
  readonly classification: string;
  /** Whole days, or empty to keep the version until deleted. */
  readonly expireAfterDays: string;
}

/**
 * The SetDatasetPolicy request of the form: the classification, the expiry in days when given,
 * and every other field of the `current` policy that is stricter than the new level's default,
 * so saving the form keeps what the owner tightened before (SetDatasetPolicy replaces the whole
 * policy). A field the new level already demands as much of, or more, is left to the level.
 *
 * @returns the request, or the message naming the field that is wrong.
 */
export function policyRequestOf(
  ref: string,
  input: PolicyFormInput,
  current?: DataPolicy,
): { ok: true; request: SetDatasetPolicyRequest } | { ok: false; field: "classification" | "expiry"; message: string } {
  const level = classificationFromName(input.classification);
  if (level === undefined)
    return { ok: false, field: "classification", message: `Unknown classification "${input.classification}".` };
  const text = input.expireAfterDays.trim();
  let expireAfterDays: number | undefined;
  if (text !== "") {
    if (!/^\d+$/.test(text) || Number(text) < 1 || Number(text) > MAX_EXPIRE_AFTER_DAYS)
      return {
        ok: false,
        field: "expiry",
        message: `Expiry: "${text}" is not a whole number of days from 1 to ${MAX_EXPIRE_AFTER_DAYS} (leave it empty to keep the version until deleted).`,
      };
    expireAfterDays = Number(text);
  }
  return {
    ok: true,
    request: create(SetDatasetPolicyRequestSchema, {
      ref,
      classification: level.proto,
      overrides: overridesToProto({
        ...(current === undefined ? {} : keptOverrides(current, level.name)),
        ...(expireAfterDays === undefined ? {} : { expireAfterDays }),
      }),
    }),
  };
}

/** The fields of `current` (besides expiry, which the form sets) that tighten `level`'s defaults. */
function keptOverrides(current: DataPolicy, level: ClassificationName): DataPolicyOverrides {
  const defaults = policyFor(level);
  const kept: Record<string, unknown> = {};
  for (const field of DATA_POLICY_FIELDS) {
    if (field === "expireAfterDays") continue;
    const value = current[field];
    if (JSON.stringify(value) === JSON.stringify(defaults[field])) continue;
    try {
      policyFor(level, { [field]: value }); // the one rule: an override may only tighten
      kept[field] = value;
    } catch {
      // looser than the new level allows: the level's default applies
    }
  }
  return kept as DataPolicyOverrides;
}
