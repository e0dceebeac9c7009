import {
  type ClassificationName,
  classificationFromName,
  classificationFromStored,
  type DataPolicy,
  isDataPolicyError,
  policyFor,
  type StoredClassification,
} from "@cyxwiz/protocol/vocab";
import { num, type Row } from "./sql-values.js";
import { StoreError } from "./store-error.js";

// How a dataset version's data policy (docs/data-policy.md) is kept in dataset_versions
// (migrations/0004_policy.sql): one column per field, the classification in its own column.

/** The policy columns, as selected with the version alias `v`. */
export const policyColumns = `v.encryption_required, v.key_escrow_allowed, v.min_reputation,
  v.third_party_workers_allowed, v.allowed_regions, v.cache_ttl_hours, v.secure_delete, v.expire_after_days,
  v.expires_at, v.audit_access, v.require_mfa, v.require_secure_enclave`;

/** The policy of a row holding {@link policyColumns} and `classification`. */
export function policyOfRow(r: Row): DataPolicy {
  return {
    classification: classificationFromStored(r.classification as StoredClassification).name,
    encryptionRequired: r.encryption_required === true,
    keyEscrowAllowed: r.key_escrow_allowed === true,
    minReputation: num(r.min_reputation),
    thirdPartyWorkersAllowed: r.third_party_workers_allowed === true,
    allowedRegions: Array.isArray(r.allowed_regions) ? r.allowed_regions.map(String) : [],
    cacheTtlHours: num(r.cache_ttl_hours),
    secureDelete: r.secure_delete === true,
    expireAfterDays:
      r.expire_after_days === null || r.expire_after_days === undefined ? undefined : num(r.expire_after_days),
    auditAccess: r.audit_access === true,
    requireMfa: r.require_mfa === true,
    requireSecureEnclave: r.require_secure_enclave === true,
  };
}

/** The default policy of a stored classification: what a new version starts with. */
export function defaultPolicyOf(classification: StoredClassification): DataPolicy {
  return policyFor(classificationFromStored(classification).name);
}

/** The stored spelling of a policy's classification. */
export function storedClassificationOf(name: ClassificationName): StoredClassification {
  return classificationFromName(name)!.stored;
}

/**
 * Checks a policy given to the store: its level's defaults, tightened only (the same rule as
 * policyFor in @cyxwiz/protocol/vocab).
 * @throws StoreError `invalid_argument` whose message starts "CYXW_ERR_POLICY: <field>: ".
 */
export function checkStoredPolicy(policy: DataPolicy): DataPolicy {
  try {
    const { classification, ...fields } = policy;
    return policyFor(classification, fields);
  } catch (e) {
    if (isDataPolicyError(e)) throw new StoreError("invalid_argument", e.message, { cause: e });
    throw e;
  }
}

/**
 * The parameters for the policy columns, in the order of {@link policyColumnNames}, the expiry
 * time left out (it is computed from created_at in SQL).
 */
export function policyParams(p: DataPolicy): unknown[] {
  return [
    p.encryptionRequired,
    p.keyEscrowAllowed,
    p.minReputation,
    p.thirdPartyWorkersAllowed,
    [...p.allowedRegions],
    p.cacheTtlHours,
    p.secureDelete,
    p.expireAfterDays ?? null,
    p.auditAccess,
    p.requireMfa,
    p.requireSecureEnclave,
  ];
}

/** The columns {@link policyParams} fills, in its order. */
export const policyColumnNames = [
  "encryption_required",
  "key_escrow_allowed",
  "min_reputation",
  "third_party_workers_allowed",
  "allowed_regions",
  "cache_ttl_hours",
  "secure_delete",
  "expire_after_days",
  "audit_access",
  "require_mfa",
  "require_secure_enclave",
] as const;

/**
 * The SQL expression of a version's expiry time from its `created_at` and the parameter holding
 * expire_after_days: days of 24 hours, so daylight-saving changes never move it, cut to the
 * millisecond, so the time a client reads (a JavaScript Date) is the time the sweeper uses.
 */
export function expiresAtSql(createdAt: string, daysParam: string): string {
  return `date_trunc('milliseconds', ${createdAt} + make_interval(hours => ${daysParam}::integer * 24))`;
}
