import { describe, expect, it } from "vitest";
import { DataClassification } from "../gen/cyxwiz/data/v1/data_transfer_pb.js";
import {
  CLASSIFICATION_NAMES,
  CLASSIFICATIONS,
  classificationFromName,
  classificationFromProto,
  classificationFromStored,
  classificationLabel,
  classificationName,
  STORED_CLASSIFICATIONS,
} from "./classifications.js";

describe("classification vocabulary", () => {
  it("lists the seed's five levels, lowest first", () => {
    expect(CLASSIFICATION_NAMES).toEqual(["public", "internal", "confidential", "restricted", "top-secret"]);
    expect(STORED_CLASSIFICATIONS).toEqual(["public", "internal", "confidential", "restricted", "top_secret"]);
    const protos = CLASSIFICATIONS.map((c) => c.proto);
    expect(protos).toEqual([...protos].sort((a, b) => a - b));
  });

  it("covers every proto value once", () => {
    const values = Object.values(DataClassification).filter((v): v is DataClassification => typeof v === "number");
    expect(CLASSIFICATIONS.map((c) => c.proto).sort()).toEqual([...values].sort());
  });

  it("spells each level the proto way in the store", () => {
    for (const c of CLASSIFICATIONS) {
      expect(c.stored).toBe(c.name.replace(/-/g, "_"));
      expect(DataClassification[c.proto]).toBe(c.stored.toUpperCase());
      expect(classificationFromStored(c.stored)).toBe(c);
      expect(classificationFromProto(c.proto)).toBe(c);
      expect(classificationName(c.proto)).toBe(c.name);
      expect(classificationLabel(c.proto)).toBe(c.label);
    }
  });

  it("reads typed names whatever the case or separator", () => {
    expect(classificationFromName("top-secret")?.proto).toBe(DataClassification.TOP_SECRET);
    expect(classificationFromName("TOP_SECRET")?.proto).toBe(DataClassification.TOP_SECRET);
    expect(classificationFromName("Internal")?.proto).toBe(DataClassification.INTERNAL);
    for (const bad of ["", "secret", "top secret", "0"]) expect(classificationFromName(bad)).toBeUndefined();
  });

  it("names unknown values instead of throwing", () => {
    expect(classificationLabel(9 as DataClassification)).toBe("Unknown (9)");
    expect(classificationName(9 as DataClassification)).toBe("9");
  });
});
