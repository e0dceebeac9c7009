import { timestampDate } from "@bufbuild/protobuf/wkt";
import { toClientError } from "@cyxwiz/client";
import type { DataPolicy as ProtoDataPolicy } from "@cyxwiz/protocol/gen";
import {
  CLASSIFICATION_NAMES,
  classificationFromName,
  type DataPolicy,
  type DataPolicyOverrides,
  isDataPolicyError,
  overridesToProto,
  policyFor,
  policyFromProto,
} from "@cyxwiz/protocol/vocab";
import { badInput } from "../exit-codes.js";
import { cliErrorOf, type GatewayOptions, openGateway } from "../gateway-access.js";
import type { Output } from "../output.js";
import { table } from "./ls.js";

/** `cyxwiz policy set` options, as commander gives them (docs/data-policy.md). */
export interface PolicySetOptions extends GatewayOptions {
  classification: string;
  expireDays?: string;
  minReputation?: string;
  regions?: string;
  cacheTtlHours?: string;
  requireEncryption?: boolean;
  /** `--no-escrow` sets it false. */
  escrow?: boolean;
  /** `--no-third-party` sets it false. */
  thirdParty?: boolean;
  secureDelete?: boolean;
  auditAccess?: boolean;
  requireMfa?: boolean;
  requireEnclave?: boolean;
}

/** Each policy field's CLI option, so an error about a field names what the user typed. */
const OPTION_OF: Record<string, string> = {
  classification: "--classification",
  encryptionRequired: "--require-encryption",
  keyEscrowAllowed: "--no-escrow",
  minReputation: "--min-reputation",
  thirdPartyWorkersAllowed: "--no-third-party",
  allowedRegions: "--regions",
  cacheTtlHours: "--cache-ttl-hours",
  secureDelete: "--secure-delete",
  expireAfterDays: "--expire-days",
  auditAccess: "--audit-access",
  requireMfa: "--require-mfa",
  requireSecureEnclave: "--require-enclave",
};

/** `cyxwiz policy get <ref>`: a version's data policy ("name" for the newest version). */
export async function policyGetCommand(ref: string, opts: GatewayOptions, out: Output): Promise<void> {
  const { clients } = await openGateway(opts);
  let got: Awaited<ReturnType<typeof clients.datasets.getDatasetPolicy>>;
  try {
    got = await clients.datasets.getDatasetPolicy({ ref });
  } catch (e) {
    throw cliErrorOf(toClientError(e, `GetDatasetPolicy ${ref} at ${clients.baseUrl}`));
  }
  if (got.policy === undefined) throw badInput(`the gateway sent no policy for ${ref}`);
  show(got.ref, got.policy, out);
}

/**
 * `cyxwiz policy set <ref> --classification LEVEL [overrides]`: sets a version's classification
 * and policy: the level's defaults, tightened by the options given. The options are checked
 * here first (the same rules the gateway applies), so a loosening one is refused before any call.
 */
export async function policySetCommand(ref: string, opts: PolicySetOptions, out: Output): Promise<void> {
  const level = classificationFromName(opts.classification);
  if (level === undefined)
    throw badInput(
      `--classification must be one of ${CLASSIFICATION_NAMES.join(", ")}, got ${JSON.stringify(opts.classification)}`,
    );
  const overrides = overridesOf(opts);
  try {
    policyFor(level.name, overrides);
  } catch (e) {
    if (isDataPolicyError(e))
      throw badInput(`${optionOf(e.field)}: ${e.message.replace(/^CYXW_ERR_POLICY: [^:]+: /, "")}`);
    throw e;
  }
  const { clients } = await openGateway(opts);
  let set: Awaited<ReturnType<typeof clients.datasets.setDatasetPolicy>>;
  try {
    set = await clients.datasets.setDatasetPolicy({
      ref,
      classification: level.proto,
      overrides: overridesToProto(overrides),
    });
  } catch (e) {
    throw cliErrorOf(toClientError(e, `SetDatasetPolicy ${ref} at ${clients.baseUrl}`));
  }
  const v = set.version;
  if (v?.policy === undefined) throw badInput(`the gateway sent no policy for ${ref}`);
  show(v.ref, v.policy, out);
}

function optionOf(field: string): string {
  return OPTION_OF[field.replace(/\[\d+\]$/, "")] ?? field;
}

/** A whole number from an option, or undefined when the option is absent. */
function wholeNumber(option: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  if (!/^\d{1,9}$/.test(text)) throw badInput(`${option} must be a whole number, got ${JSON.stringify(text)}`);
  return Number(text);
}

function overridesOf(opts: PolicySetOptions): DataPolicyOverrides {
  const o: { -readonly [K in keyof DataPolicyOverrides]: DataPolicyOverrides[K] } = {};
  const expire = wholeNumber("--expire-days", opts.expireDays);
  if (expire !== undefined) o.expireAfterDays = expire;
  const reputation = wholeNumber("--min-reputation", opts.minReputation);
  if (reputation !== undefined) o.minReputation = reputation;
  const ttl = wholeNumber("--cache-ttl-hours", opts.cacheTtlHours);
  if (ttl !== undefined) o.cacheTtlHours = ttl;
  if (opts.regions !== undefined) {
    const regions = opts.regions.split(",").map((r) => r.trim());
    if (regions.some((r) => r === ""))
      throw badInput(`--regions must be a comma-separated list, got ${JSON.stringify(opts.regions)}`);
    o.allowedRegions = regions;
  }
  if (opts.requireEncryption === true) o.encryptionRequired = true;
  if (opts.escrow === false) o.keyEscrowAllowed = false;
  if (opts.thirdParty === false) o.thirdPartyWorkersAllowed = false;
  if (opts.secureDelete === true) o.secureDelete = true;
  if (opts.auditAccess === true) o.auditAccess = true;
  if (opts.requireMfa === true) o.requireMfa = true;
  if (opts.requireEnclave === true) o.requireSecureEnclave = true;
  return o;
}

/** Prints a policy: `--json` as {ref, policy, expiresAt}, otherwise one field a line. */
function show(ref: string, proto: ProtoDataPolicy, out: Output): void {
  const policy: DataPolicy = policyFromProto(proto);
  const expiresAt = proto.expiresAt === undefined ? undefined : timestampDate(proto.expiresAt).toISOString();
  const yes = (b: boolean) => (b ? "yes" : "no");
  const rows: [string, string][] = [
    ["classification", policy.classification],
    ["encryption required", yes(policy.encryptionRequired)],
    ["key escrow allowed", yes(policy.keyEscrowAllowed)],
    ["min worker reputation", String(policy.minReputation)],
    ["third-party workers", yes(policy.thirdPartyWorkersAllowed)],
    ["allowed regions", policy.allowedRegions.length === 0 ? "any" : policy.allowedRegions.join(", ")],
    ["cache TTL (hours)", String(policy.cacheTtlHours)],
    ["secure delete", yes(policy.secureDelete)],
    [
      "expires",
      policy.expireAfterDays === undefined ? "never" : `after ${policy.expireAfterDays} days (${expiresAt ?? "?"})`,
    ],
    ["audit every access", yes(policy.auditAccess)],
    ["MFA required", yes(policy.requireMfa)],
    ["secure enclave required", yes(policy.requireSecureEnclave)],
  ];
  const json = {
    ref,
    policy: { ...policy, expireAfterDays: policy.expireAfterDays ?? null },
    expiresAt: expiresAt ?? null,
  };
  out.result(json, `${ref}\n${table(["FIELD", "VALUE"], rows)}`);
}
