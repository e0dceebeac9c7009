import { DataClassification } from "@cyxwiz/protocol/gen";
import { DEFAULT_POLICIES, policyFor } from "@cyxwiz/protocol/vocab";
import { describe, expect, it } from "vitest";
import { policyRequestOf, policyRows } from "./policy-form.js";

describe("policyRows", () => {
  it("lists the level's defaults as a person reads them", () => {
    const rows = Object.fromEntries(policyRows(DEFAULT_POLICIES.public).map((r) => [r.key, r.value]));
    expect(rows).toMatchObject({
      classification: "Public",
      encryption: "no",
      escrow: "yes",
      "min-reputation": "0",
      "third-party": "allowed",
      regions: "any",
      "cache-ttl": "168 h",
      expiry: "kept until deleted",
    });
    const confidential = Object.fromEntries(policyRows(DEFAULT_POLICIES.confidential).map((r) => [r.key, r.value]));
    expect(confidential.encryption).toBe("yes");
    expect(confidential.escrow).toBe("no");
  });
});

describe("policyRequestOf", () => {
  it("sets the classification and the expiry override", () => {
    const got = policyRequestOf("pets@v1", { classification: "internal", expireAfterDays: " 30 " });
    if (!got.ok) throw new Error(got.message);
    expect(got.request.ref).toBe("pets@v1");
    expect(got.request.classification).toBe(DataClassification.INTERNAL);
    expect(got.request.overrides?.expireAfterDays).toBe(30);
  });

  it("leaves the expiry unset when empty", () => {
    const got = policyRequestOf("pets@v1", { classification: "public", expireAfterDays: "" });
    expect(got.ok && got.request.overrides?.expireAfterDays).toBeUndefined();
  });

  it("names the field that is wrong", () => {
    for (const bad of ["0", "-3", "1.5", "ten", "99999999"]) {
      const got = policyRequestOf("a@v1", { classification: "public", expireAfterDays: bad });
      expect(got).toMatchObject({ ok: false, field: "expiry" });
    }
    expect(policyRequestOf("a@v1", { classification: "secret-ish", expireAfterDays: "" })).toMatchObject({
      ok: false,
      field: "classification",
    });
  });

  it("keeps what the owner tightened before, unless the new level already demands as much", () => {
    const current = policyFor("public", { minReputation: 70, allowedRegions: ["eu"], secureDelete: true });
    const same = policyRequestOf("a@v1", { classification: "public", expireAfterDays: "" }, current);
    if (!same.ok) throw new Error(same.message);
    expect(same.request.overrides?.minReputation).toBe(70);
    expect(same.request.overrides?.allowedRegions).toEqual(["eu"]);
    expect(same.request.overrides?.secureDelete).toBe(true);
    // Restricted demands secure delete itself, and more reputation than 70? The level decides
    // where it asks as much or more; a looser carried value is never sent.
    const raised = policyRequestOf("a@v1", { classification: "restricted", expireAfterDays: "7" }, current);
    if (!raised.ok) throw new Error(raised.message);
    const sent = raised.request.overrides!;
    expect(sent.expireAfterDays).toBe(7);
    expect(sent.allowedRegions).toEqual(["eu"]);
    const restricted = policyFor("restricted");
    if (restricted.minReputation >= 70) expect(sent.minReputation).toBeUndefined();
    else expect(sent.minReputation).toBe(70);
    expect(sent.secureDelete === undefined || sent.secureDelete === true).toBe(true);
    // What is sent is a policy the gateway's rule accepts.
    expect(() =>
      policyFor("restricted", {
        ...(sent.minReputation === undefined ? {} : { minReputation: sent.minReputation }),
        allowedRegions: [...sent.allowedRegions],
      }),
    ).not.toThrow();
  });
});
