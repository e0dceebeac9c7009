import { DataClassification } from "@cyxwiz/protocol/gen";
import { DEFAULT_POLICIES } from "@cyxwiz/protocol/vocab";
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
});
