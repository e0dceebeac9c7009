import { create } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import {
  DataPolicyOverridesSchema,
  DataPolicySchema,
  type DataPolicy as ProtoDataPolicy,
  type DataPolicyOverrides as ProtoDataPolicyOverrides,
} from "../gen/cyxwiz/data/v1/dataset_service_pb.js";
import { classificationFromName, classificationFromProto } from "./classifications.js";
import { type DataPolicy, DataPolicyError, type DataPolicyOverrides } from "./data-policy.js";

// The one mapping between the data policy (data-policy.ts) and its proto messages
// (proto/cyxwiz/data/v1/dataset_service.proto): the gateway, its test double and the CLI use it.

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** The proto form of a policy, with the version's expiry time when it has one. */
export function policyToProto(p: DataPolicy, expiresAt?: Date): ProtoDataPolicy {
  return create(DataPolicySchema, {
    classification: classificationFromName(p.classification)!.proto,
    encryptionRequired: p.encryptionRequired,
    keyEscrowAllowed: p.keyEscrowAllowed,
    minReputation: p.minReputation,
    thirdPartyWorkersAllowed: p.thirdPartyWorkersAllowed,
    allowedRegions: [...p.allowedRegions],
    cacheTtlHours: p.cacheTtlHours,
    secureDelete: p.secureDelete,
    ...(p.expireAfterDays === undefined ? {} : { expireAfterDays: p.expireAfterDays }),
    auditAccess: p.auditAccess,
    requireMfa: p.requireMfa,
    requireSecureEnclave: p.requireSecureEnclave,
    ...(expiresAt === undefined ? {} : { expiresAt: timestampFromDate(expiresAt) }),
  });
}

/**
 * A policy as received (GetDatasetPolicy, DatasetVersion.policy), unchecked: what the gateway
 * says it stores.
 * @throws DataPolicyError for a classification this build does not know.
 */
export function policyFromProto(p: ProtoDataPolicy): DataPolicy {
  const level = classificationFromProto(p.classification);
  if (level === undefined) throw new DataPolicyError("classification", `unknown value ${p.classification}`);
  return {
    classification: level.name,
    encryptionRequired: p.encryptionRequired,
    keyEscrowAllowed: p.keyEscrowAllowed,
    minReputation: p.minReputation,
    thirdPartyWorkersAllowed: p.thirdPartyWorkersAllowed,
    allowedRegions: [...p.allowedRegions],
    cacheTtlHours: p.cacheTtlHours,
    secureDelete: p.secureDelete,
    expireAfterDays: p.expireAfterDays,
    auditAccess: p.auditAccess,
    requireMfa: p.requireMfa,
    requireSecureEnclave: p.requireSecureEnclave,
  };
}

/** The proto form of overrides: fields left out stay unset. */
export function overridesToProto(o: DataPolicyOverrides): ProtoDataPolicyOverrides {
  const { allowedRegions, ...rest } = o;
  return create(DataPolicyOverridesSchema, {
    ...rest,
    ...(allowedRegions === undefined ? {} : { allowedRegions: [...allowedRegions] }),
  });
}

/** The overrides a SetDatasetPolicy request gives: unset fields (and an empty region list) left out. */
export function overridesFromProto(o: ProtoDataPolicyOverrides | undefined): DataPolicyOverrides {
  if (o === undefined) return {};
  const out: Mutable<DataPolicyOverrides> = {};
  if (o.encryptionRequired !== undefined) out.encryptionRequired = o.encryptionRequired;
  if (o.keyEscrowAllowed !== undefined) out.keyEscrowAllowed = o.keyEscrowAllowed;
  if (o.minReputation !== undefined) out.minReputation = o.minReputation;
  if (o.thirdPartyWorkersAllowed !== undefined) out.thirdPartyWorkersAllowed = o.thirdPartyWorkersAllowed;
  if (o.allowedRegions.length > 0) out.allowedRegions = [...o.allowedRegions];
  if (o.cacheTtlHours !== undefined) out.cacheTtlHours = o.cacheTtlHours;
  if (o.secureDelete !== undefined) out.secureDelete = o.secureDelete;
  if (o.expireAfterDays !== undefined) out.expireAfterDays = o.expireAfterDays;
  if (o.auditAccess !== undefined) out.auditAccess = o.auditAccess;
  if (o.requireMfa !== undefined) out.requireMfa = o.requireMfa;
  if (o.requireSecureEnclave !== undefined) out.requireSecureEnclave = o.requireSecureEnclave;
  return out;
}
