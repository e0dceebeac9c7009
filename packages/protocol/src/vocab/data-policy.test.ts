import { describe, expect, it } from "vitest";
import policyDoc from "../../../../docs/data-policy.md?raw";
import { CLASSIFICATION_NAMES } from "./classifications.js";
import {
  checkPolicy,
  DATA_POLICY_FIELDS,
  type DataPolicyError,
  DEFAULT_POLICIES,
  ESCROW_ALLOWED,
  isDataPolicyError,
  policyChanges,
  policyFor,
  policyViolations,
  UNENCRYPTED_ALLOWED,
} from "./data-policy.js";

/** The field a policyFor call names in its error. */
function refusedField(level: string, overrides: Record<string, unknown>): string {
  try {
    policyFor(level, overrides);
  } catch (e) {
    expect(isDataPolicyError(e)).toBe(true);
    expect((e as DataPolicyError).code).toBe("CYXW_ERR_POLICY");
    return (e as DataPolicyError).field;
  }
  throw new Error(`policyFor(${level}, ${JSON.stringify(overrides)}) was accepted`);
}

describe("data policy defaults (seed §4.3)", () => {
  it("has one default policy per classification, each naming its level", () => {
    expect(Object.keys(DEFAULT_POLICIES)).toEqual([...CLASSIFICATION_NAMES]);
    for (const name of CLASSIFICATION_NAMES) expect(DEFAULT_POLICIES[name].classification).toBe(name);
  });

  it("never loosens from one level to the next", () => {
    for (let i = 1; i < CLASSIFICATION_NAMES.length; i++) {
      const lower = DEFAULT_POLICIES[CLASSIFICATION_NAMES[i - 1]!];
      const higher = DEFAULT_POLICIES[CLASSIFICATION_NAMES[i]!];
      // The higher level's defaults are valid overrides of the lower level: only tighter.
      const { classification: _, ...fields } = higher;
      expect(() => policyFor(lower.classification, fields), higher.classification).not.toThrow();
    }
  });

  it("requires encryption and forbids escrow from Confidential up", () => {
    expect(UNENCRYPTED_ALLOWED).toEqual(["public", "internal"]);
    expect(ESCROW_ALLOWED).toEqual(["public", "internal"]);
  });

  it("accepts any spelling of a level and gives its defaults without overrides", () => {
    expect(policyFor("TOP_SECRET")).toEqual(DEFAULT_POLICIES["top-secret"]);
    expect(refusedField("secret", {})).toBe("classification");
  });
});

describe("policyFor overrides", () => {
  it("applies overrides that tighten", () => {
    const p = policyFor("internal", {
      minReputation: 80,
      allowedRegions: ["eu", "us-east-1"],
      cacheTtlHours: 0,
      expireAfterDays: 30,
      keyEscrowAllowed: false,
      encryptionRequired: true,
      requireSecureEnclave: true,
    });
    expect(p).toMatchObject({
      classification: "internal",
      minReputation: 80,
      allowedRegions: ["eu", "us-east-1"],
      cacheTtlHours: 0,
      expireAfterDays: 30,
      keyEscrowAllowed: false,
      encryptionRequired: true,
      requireSecureEnclave: true,
      thirdPartyWorkersAllowed: false,
    });
    expect(checkPolicy(p)).toEqual(p);
  });

  it("refuses overrides that loosen, naming the field", () => {
    expect(refusedField("confidential", { encryptionRequired: false })).toBe("encryptionRequired");
    expect(refusedField("confidential", { keyEscrowAllowed: true })).toBe("keyEscrowAllowed");
    expect(refusedField("confidential", { minReputation: 10 })).toBe("minReputation");
    expect(refusedField("restricted", { cacheTtlHours: 5 })).toBe("cacheTtlHours");
    expect(refusedField("internal", { thirdPartyWorkersAllowed: true })).toBe("thirdPartyWorkersAllowed");
    expect(refusedField("top-secret", { requireSecureEnclave: false })).toBe("requireSecureEnclave");
    expect(refusedField("restricted", { requireMfa: false })).toBe("requireMfa");
    expect(refusedField("internal", { auditAccess: false })).toBe("auditAccess");
  });

  it("refuses malformed values, naming the field", () => {
    expect(refusedField("public", { minReputation: 101 })).toBe("minReputation");
    expect(refusedField("public", { minReputation: 1.5 })).toBe("minReputation");
    expect(refusedField("public", { expireAfterDays: 0 })).toBe("expireAfterDays");
    expect(refusedField("public", { cacheTtlHours: -1 })).toBe("cacheTtlHours");
    expect(refusedField("public", { secureDelete: "yes" })).toBe("secureDelete");
    expect(refusedField("public", { allowedRegions: ["eu", "EU West"] })).toBe("allowedRegions[1]");
    expect(refusedField("public", { allowedRegions: ["eu", "eu"] })).toBe("allowedRegions[1]");
    expect(refusedField("public", { allowedRegions: "eu" })).toBe("allowedRegions");
    expect(refusedField("public", { colour: "red" })).toBe("colour");
  });

  it("says in the message what the level demands", () => {
    expect(() => policyFor("confidential", { encryptionRequired: false })).toThrow(
      /CYXW_ERR_POLICY: encryptionRequired: Confidential data requires it/,
    );
    expect(() => policyFor("restricted", { minReputation: 10 })).toThrow(/reputation 75 or more, got 10/);
  });
});

describe("policyViolations", () => {
  it("finds unencrypted data under a policy that requires encryption", () => {
    const v = policyViolations(policyFor("confidential"), { encrypted: false, keyEscrowed: false });
    expect(v.map((x) => x.field)).toEqual(["encryptionRequired"]);
    expect(policyViolations(policyFor("confidential"), { encrypted: true, keyEscrowed: false })).toEqual([]);
  });

  it("finds an escrowed key under a policy that forbids escrow", () => {
    expect(policyViolations(policyFor("restricted"), { encrypted: true, keyEscrowed: true })[0]?.field).toBe(
      "keyEscrowAllowed",
    );
    expect(
      policyViolations(policyFor("internal", { keyEscrowAllowed: false }), { encrypted: true, keyEscrowed: true }),
    ).toHaveLength(1);
    expect(policyViolations(policyFor("internal"), { encrypted: true, keyEscrowed: true })).toEqual([]);
  });
});

describe("policyChanges", () => {
  it("lists only the fields that differ, before and after", () => {
    const before = policyFor("public");
    const after = policyFor("internal", { expireAfterDays: 7 });
    const changes = policyChanges(before, after);
    expect(changes.classification).toEqual({ before: "public", after: "internal" });
    expect(changes.expireAfterDays).toEqual({ before: null, after: 7 });
    expect(changes.encryptionRequired).toBeUndefined();
    expect(policyChanges(after, after)).toEqual({});
  });
});

describe("docs/data-policy.md", () => {
  it("shows exactly the defaults of DEFAULT_POLICIES", () => {
    const cell = (v: unknown) =>
      v === undefined
        ? "never"
        : Array.isArray(v)
          ? v.length === 0
            ? "any"
            : v.join(", ")
          : typeof v === "boolean"
            ? v
              ? "yes"
              : "no"
            : String(v);
    const rows = new Map<string, string[]>();
    for (const line of policyDoc.split("\n")) {
      const m = /^\| `([a-zA-Z]+)` \| (.*) \|$/.exec(line);
      if (m) rows.set(m[1]!, m[2]!.split(" | "));
    }
    expect([...rows.keys()]).toEqual([...DATA_POLICY_FIELDS]);
    for (const field of DATA_POLICY_FIELDS) {
      expect(rows.get(field), field).toEqual(CLASSIFICATION_NAMES.map((n) => cell(DEFAULT_POLICIES[n][field])));
    }
  });
});
