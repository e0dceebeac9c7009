import { ProtocolError } from "../errors/error-codes.js";
import {
  CLASSIFICATIONS,
  type ClassificationName,
  classificationFromName,
  type StoredClassification,
} from "./classifications.js";

/**
 * How data of one classification is handled (seed §4.3 `DataPolicy`, docs/data-policy.md). The
 * gateway enforces the storage fields now (encryption, key escrow, expiry); the compute plane will
 * read the rest (reputation, third-party workers, regions, cache, secure delete, MFA, enclaves).
 */
export interface DataPolicy {
  readonly classification: ClassificationName;
  /** The data must be stored encrypted (seed `encrypt_at_rest`). */
  readonly encryptionRequired: boolean;
  /** The dataset key may be escrowed (wrapped) to the gateway. */
  readonly keyEscrowAllowed: boolean;
  /** The lowest reputation score, 0-100, a worker needs to process the data. */
  readonly minReputation: number;
  /** Workers outside the owner's organisation may process the data (seed `allow_third_party_nodes`). */
  readonly thirdPartyWorkersAllowed: boolean;
  /** Regions whose workers may hold the data ("eu", "us-east"); empty: any region. */
  readonly allowedRegions: readonly string[];
  /** Hours a worker may keep a cached copy; 0: no cache (seed `max_cache_time_hours`). */
  readonly cacheTtlHours: number;
  /** Copies are overwritten before deletion. */
  readonly secureDelete: boolean;
  /** The version is deleted this many days after it was committed; undefined: kept until deleted. */
  readonly expireAfterDays: number | undefined;
  /** Every read by a worker is reported to the audit log (seed `log_all_access`). */
  readonly auditAccess: boolean;
  /** Reading the data needs multi-factor sign-in. */
  readonly requireMfa: boolean;
  /** Only workers with a secure enclave (SGX, TrustZone, SEV) may process the data. */
  readonly requireSecureEnclave: boolean;
}

/** The fields an owner may set on top of a level's defaults: each may only tighten it. */
export type DataPolicyOverrides = Partial<Omit<DataPolicy, "classification">>;

/** The field names of a policy besides the classification, in the order docs and the CLI list them. */
export const DATA_POLICY_FIELDS = [
  "encryptionRequired",
  "keyEscrowAllowed",
  "minReputation",
  "thirdPartyWorkersAllowed",
  "allowedRegions",
  "cacheTtlHours",
  "secureDelete",
  "expireAfterDays",
  "auditAccess",
  "requireMfa",
  "requireSecureEnclave",
] as const satisfies readonly (keyof DataPolicyOverrides)[];

/** Bounds of the numeric fields. */
export const MAX_REPUTATION = 100;
export const MAX_CACHE_TTL_HOURS = 24 * 365;
export const MAX_EXPIRE_AFTER_DAYS = 36_500;
export const MAX_ALLOWED_REGIONS = 32;
/** A region code: lowercase letters and digits in dash-separated parts, 2-32 characters ("eu", "us-east-1"). */
export const REGION_PATTERN = /^(?=.{2,32}$)[a-z][a-z0-9]*(?:-[a-z0-9]+)*$/;

/** The defaults of each level, lowest first (docs/data-policy.md shows them as a table). */
export const DEFAULT_POLICIES: Readonly<Record<ClassificationName, DataPolicy>> = {
  public: {
    classification: "public",
    encryptionRequired: false,
    keyEscrowAllowed: true,
    minReputation: 0,
    thirdPartyWorkersAllowed: true,
    allowedRegions: [],
    cacheTtlHours: 168,
    secureDelete: false,
    expireAfterDays: undefined,
    auditAccess: false,
    requireMfa: false,
    requireSecureEnclave: false,
  },
  internal: {
    classification: "internal",
    encryptionRequired: false,
    keyEscrowAllowed: true,
    minReputation: 25,
    thirdPartyWorkersAllowed: false,
    allowedRegions: [],
    cacheTtlHours: 72,
    secureDelete: false,
    expireAfterDays: undefined,
    auditAccess: true,
    requireMfa: false,
    requireSecureEnclave: false,
  },
  confidential: {
    classification: "confidential",
    encryptionRequired: true,
    keyEscrowAllowed: false,
    minReputation: 50,
    thirdPartyWorkersAllowed: false,
    allowedRegions: [],
    cacheTtlHours: 24,
    secureDelete: true,
    expireAfterDays: undefined,
    auditAccess: true,
    requireMfa: false,
    requireSecureEnclave: false,
  },
  restricted: {
    classification: "restricted",
    encryptionRequired: true,
    keyEscrowAllowed: false,
    minReputation: 75,
    thirdPartyWorkersAllowed: false,
    allowedRegions: [],
    cacheTtlHours: 4,
    secureDelete: true,
    expireAfterDays: undefined,
    auditAccess: true,
    requireMfa: true,
    requireSecureEnclave: false,
  },
  "top-secret": {
    classification: "top-secret",
    encryptionRequired: true,
    keyEscrowAllowed: false,
    minReputation: 90,
    thirdPartyWorkersAllowed: false,
    allowedRegions: [],
    cacheTtlHours: 0,
    secureDelete: true,
    expireAfterDays: undefined,
    auditAccess: true,
    requireMfa: true,
    requireSecureEnclave: true,
  },
};

/** The classifications whose data may be stored unencrypted: the SQL CHECK in 0004_policy.sql repeats this list. */
export const UNENCRYPTED_ALLOWED: readonly StoredClassification[] = CLASSIFICATIONS.filter(
  (c) => !DEFAULT_POLICIES[c.name].encryptionRequired,
).map((c) => c.stored);

/** The classifications whose keys may be escrowed to the gateway: the SQL CHECK in 0001_init.sql repeats this list. */
export const ESCROW_ALLOWED: readonly StoredClassification[] = CLASSIFICATIONS.filter(
  (c) => DEFAULT_POLICIES[c.name].keyEscrowAllowed,
).map((c) => c.stored);

/**
 * A policy that is malformed or looser than its level allows. `field` names the offending field
 * ("minReputation", "allowedRegions[2]"); the message says what the level demands.
 */
export class DataPolicyError extends ProtocolError {
  readonly field: string;
  constructor(field: string, message: string) {
    super("CYXW_ERR_POLICY", `${field}: ${message}`);
    this.field = field;
  }
}

/** True for a DataPolicyError from any copy of this module (`code` is CYXW_ERR_POLICY). */
export function isDataPolicyError(e: unknown): e is DataPolicyError {
  return (
    typeof e === "object" &&
    e !== null &&
    (e as { code?: unknown }).code === "CYXW_ERR_POLICY" &&
    typeof (e as { field?: unknown }).field === "string"
  );
}

function checkInteger(field: string, value: unknown, min: number, max: number): number {
  if (typeof value !== "number" || !Number.isInteger(value) || value < min || value > max) {
    throw new DataPolicyError(field, `must be an integer from ${min} to ${max}, got ${JSON.stringify(value)}`);
  }
  return value;
}

function checkBoolean(field: string, value: unknown): boolean {
  if (typeof value !== "boolean")
    throw new DataPolicyError(field, `must be true or false, got ${JSON.stringify(value)}`);
  return value;
}

/** A requirement (true = stricter) the override may turn on but not off. */
function requirement(field: keyof DataPolicyOverrides, level: DataPolicy, value: unknown): boolean {
  const v = checkBoolean(field, value);
  if (!v && level[field] === true) {
    throw new DataPolicyError(field, `${labelOf(level)} data requires it: it cannot be turned off`);
  }
  return v;
}

/** A permission (true = looser) the override may turn off but not on. */
function permission(field: keyof DataPolicyOverrides, level: DataPolicy, value: unknown): boolean {
  const v = checkBoolean(field, value);
  if (v && level[field] === false) {
    throw new DataPolicyError(field, `${labelOf(level)} data does not allow it: it cannot be turned on`);
  }
  return v;
}

function labelOf(p: DataPolicy): string {
  return classificationFromName(p.classification)!.label;
}

function checkRegions(value: unknown, level: DataPolicy): string[] {
  if (!Array.isArray(value)) throw new DataPolicyError("allowedRegions", "must be a list of region codes");
  if (value.length > MAX_ALLOWED_REGIONS)
    throw new DataPolicyError(
      "allowedRegions",
      `must list at most ${MAX_ALLOWED_REGIONS} regions, got ${value.length}`,
    );
  const seen = new Set<string>();
  value.forEach((r, i) => {
    if (typeof r !== "string" || !REGION_PATTERN.test(r)) {
      throw new DataPolicyError(
        `allowedRegions[${i}]`,
        `${JSON.stringify(r)} is not a region code (lowercase letters, digits and dashes, 2-32 characters, e.g. "eu" or "us-east-1")`,
      );
    }
    if (seen.has(r)) throw new DataPolicyError(`allowedRegions[${i}]`, `${JSON.stringify(r)} is listed twice`);
    if (level.allowedRegions.length > 0 && !level.allowedRegions.includes(r)) {
      throw new DataPolicyError(
        `allowedRegions[${i}]`,
        `${JSON.stringify(r)} is outside the regions ${labelOf(level)} data allows (${level.allowedRegions.join(", ")})`,
      );
    }
    seen.add(r);
  });
  return [...value] as string[];
}

/**
 * The policy of `level` (a name as people type it, "top-secret" or "TOP_SECRET") with `overrides`
 * applied. An override may only tighten what the level demands: turn a requirement on, a
 * permission off, raise the minimum reputation, lower the cache time, narrow the regions, set or
 * shorten the expiry. Fields left out keep the level's default.
 *
 * @throws DataPolicyError (CYXW_ERR_POLICY) naming the field: an unknown level or field, a value
 *   of the wrong type or out of range, or one that loosens the level.
 * @example
 * policyFor("confidential", { minReputation: 80, allowedRegions: ["eu"] }).cacheTtlHours // 24
 * policyFor("confidential", { encryptionRequired: false }) // throws: encryptionRequired
 */
export function policyFor(level: string, overrides: DataPolicyOverrides = {}): DataPolicy {
  const entry = classificationFromName(level);
  if (entry === undefined) {
    throw new DataPolicyError(
      "classification",
      `${JSON.stringify(level)} is not a classification (${CLASSIFICATIONS.map((c) => c.name).join(", ")})`,
    );
  }
  const base = DEFAULT_POLICIES[entry.name];
  for (const key of Object.keys(overrides)) {
    if (!(DATA_POLICY_FIELDS as readonly string[]).includes(key)) {
      throw new DataPolicyError(key, `is not a policy field (${DATA_POLICY_FIELDS.join(", ")})`);
    }
  }
  const o = overrides as Record<keyof DataPolicyOverrides, unknown>;
  const has = (k: keyof DataPolicyOverrides) => o[k] !== undefined;
  let expireAfterDays = base.expireAfterDays;
  if (has("expireAfterDays")) {
    const days = checkInteger("expireAfterDays", o.expireAfterDays, 1, MAX_EXPIRE_AFTER_DAYS);
    if (base.expireAfterDays !== undefined && days > base.expireAfterDays) {
      throw new DataPolicyError(
        "expireAfterDays",
        `${labelOf(base)} data expires after at most ${base.expireAfterDays} days, got ${days}`,
      );
    }
    expireAfterDays = days;
  }
  const minReputation = has("minReputation")
    ? checkInteger("minReputation", o.minReputation, 0, MAX_REPUTATION)
    : base.minReputation;
  if (minReputation < base.minReputation) {
    throw new DataPolicyError(
      "minReputation",
      `${labelOf(base)} data needs workers of reputation ${base.minReputation} or more, got ${minReputation}`,
    );
  }
  const cacheTtlHours = has("cacheTtlHours")
    ? checkInteger("cacheTtlHours", o.cacheTtlHours, 0, MAX_CACHE_TTL_HOURS)
    : base.cacheTtlHours;
  if (cacheTtlHours > base.cacheTtlHours) {
    throw new DataPolicyError(
      "cacheTtlHours",
      `${labelOf(base)} data may be cached for at most ${base.cacheTtlHours} hours, got ${cacheTtlHours}`,
    );
  }
  return {
    classification: entry.name,
    encryptionRequired: has("encryptionRequired")
      ? requirement("encryptionRequired", base, o.encryptionRequired)
      : base.encryptionRequired,
    keyEscrowAllowed: has("keyEscrowAllowed")
      ? permission("keyEscrowAllowed", base, o.keyEscrowAllowed)
      : base.keyEscrowAllowed,
    minReputation,
    thirdPartyWorkersAllowed: has("thirdPartyWorkersAllowed")
      ? permission("thirdPartyWorkersAllowed", base, o.thirdPartyWorkersAllowed)
      : base.thirdPartyWorkersAllowed,
    allowedRegions: has("allowedRegions") ? checkRegions(o.allowedRegions, base) : [...base.allowedRegions],
    cacheTtlHours,
    secureDelete: has("secureDelete") ? requirement("secureDelete", base, o.secureDelete) : base.secureDelete,
    expireAfterDays,
    auditAccess: has("auditAccess") ? requirement("auditAccess", base, o.auditAccess) : base.auditAccess,
    requireMfa: has("requireMfa") ? requirement("requireMfa", base, o.requireMfa) : base.requireMfa,
    requireSecureEnclave: has("requireSecureEnclave")
      ? requirement("requireSecureEnclave", base, o.requireSecureEnclave)
      : base.requireSecureEnclave,
  };
}

/**
 * Checks a stored policy again (as read back from a database or the wire): it must be its level's
 * defaults tightened, nothing looser.
 * @throws DataPolicyError naming the field.
 */
export function checkPolicy(policy: DataPolicy): DataPolicy {
  const { classification, ...fields } = policy;
  return policyFor(classification, fields);
}

/** What a dataset version is, as stored, that a policy can forbid. */
export interface StoredForm {
  readonly encrypted: boolean;
  readonly keyEscrowed: boolean;
}

/** One way a stored version breaks a policy. */
export interface PolicyViolation {
  readonly field: "encryptionRequired" | "keyEscrowAllowed";
  readonly message: string;
}

/**
 * How the version as stored breaks `policy`: unencrypted data where encryption is required, an
 * escrowed key where escrow is not allowed. Empty when it complies. Data already stored cannot be
 * changed by a policy, so the gateway refuses a policy its stored form breaks.
 */
export function policyViolations(policy: DataPolicy, stored: StoredForm): PolicyViolation[] {
  const label = classificationFromName(policy.classification)!.label;
  const found: PolicyViolation[] = [];
  if (policy.encryptionRequired && !stored.encrypted) {
    found.push({
      field: "encryptionRequired",
      message: `the version is stored unencrypted and ${label} data must be encrypted: upload it again with encryption`,
    });
  }
  if (!policy.keyEscrowAllowed && stored.keyEscrowed) {
    found.push({
      field: "keyEscrowAllowed",
      message: `the version's key is escrowed to the gateway and this policy (${label}) forbids escrow: upload it again without escrow`,
    });
  }
  return found;
}

/**
 * The fields in which two policies differ, each as [before, after]: what the audit log records
 * when a policy changes.
 */
export function policyChanges(
  before: DataPolicy,
  after: DataPolicy,
): Record<string, { before: unknown; after: unknown }> {
  const changes: Record<string, { before: unknown; after: unknown }> = {};
  for (const key of ["classification", ...DATA_POLICY_FIELDS] as const) {
    const a = before[key];
    const b = after[key];
    if (JSON.stringify(a ?? null) !== JSON.stringify(b ?? null)) changes[key] = { before: a ?? null, after: b ?? null };
  }
  return changes;
}
