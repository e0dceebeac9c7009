import { describe, expect, it } from "vitest";
import { DataClassification } from "../gen/cyxwiz/data/v1/data_transfer_pb.js";
import { CLASSIFICATION_NAMES } from "./classifications.js";
import { policyFor } from "./data-policy.js";
import { overridesFromProto, overridesToProto, policyFromProto, policyToProto } from "./data-policy-proto.js";

describe("data policy ⇄ proto", () => {
  it("round-trips every level's policy, overrides included", () => {
    for (const name of CLASSIFICATION_NAMES) {
      const p = policyFor(name, { expireAfterDays: 9, allowedRegions: ["eu"] });
      expect(policyFromProto(policyToProto(p))).toEqual(p);
    }
    const plain = policyFor("public");
    const proto = policyToProto(plain, new Date("2030-01-02T03:04:05.678Z"));
    expect(proto.classification).toBe(DataClassification.PUBLIC);
    expect(proto.expireAfterDays).toBeUndefined();
    expect(proto.expiresAt?.seconds).toBe(BigInt(Date.parse("2030-01-02T03:04:05Z") / 1000));
    expect(policyFromProto(proto)).toEqual(plain);
    expect(() => policyFromProto({ ...proto, classification: 99 as DataClassification })).toThrow(/classification/);
  });

  it("keeps overrides left out unset, and false and 0 set", () => {
    const o = { minReputation: 0, keyEscrowAllowed: false, allowedRegions: ["eu", "us-east-1"] };
    const proto = overridesToProto(o);
    expect(proto.secureDelete).toBeUndefined();
    expect(overridesFromProto(proto)).toEqual(o);
    expect(overridesFromProto(overridesToProto({}))).toEqual({});
    expect(overridesFromProto(undefined)).toEqual({});
  });
});
