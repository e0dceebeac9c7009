import { DataClassification } from "@cyxwiz/protocol/gen";
import { describe, expect, it } from "vitest";
import {
  CLASSIFICATION_OPTIONS,
  classificationLabel,
  datasetNameProblem,
  defaultChoices,
  encryptionForced,
  escrowAllowed,
  normaliseChoices,
  withClassification,
} from "./upload-choices.js";

describe("classification rules", () => {
  it("lists every classification from Public to Top secret", () => {
    expect(CLASSIFICATION_OPTIONS.map((o) => o.label)).toEqual([
      "Public",
      "Internal",
      "Confidential",
      "Restricted",
      "Top secret",
    ]);
    expect(classificationLabel(DataClassification.TOP_SECRET)).toBe("Top secret");
    expect(classificationLabel(99 as DataClassification)).toBe("Unknown (99)");
  });

  it("forces encryption from Confidential up", () => {
    expect(encryptionForced(DataClassification.INTERNAL)).toBe(false);
    expect(encryptionForced(DataClassification.CONFIDENTIAL)).toBe(true);
    expect(encryptionForced(DataClassification.TOP_SECRET)).toBe(true);
  });

  it("allows escrow only for encrypted Public and Internal data", () => {
    expect(escrowAllowed(DataClassification.PUBLIC, true)).toBe(true);
    expect(escrowAllowed(DataClassification.INTERNAL, true)).toBe(true);
    expect(escrowAllowed(DataClassification.INTERNAL, false)).toBe(false);
    expect(escrowAllowed(DataClassification.CONFIDENTIAL, true)).toBe(false);
  });
});

describe("choices", () => {
  it("defaults to Public, unencrypted, uncompressed, named after the file", () => {
    expect(defaultChoices("mnist.gz")).toEqual({
      name: "mnist.gz",
      classification: DataClassification.PUBLIC,
      encrypt: false,
      compression: "none",
      escrow: false,
    });
  });

  it("turns encryption on when leaving Public, and keeps it on from Confidential up", () => {
    const internal = withClassification(defaultChoices("a"), DataClassification.INTERNAL);
    expect(internal.encrypt).toBe(true);
    const offAgain = normaliseChoices({ ...internal, encrypt: false });
    expect(offAgain.encrypt).toBe(false);
    const secret = normaliseChoices({ ...offAgain, classification: DataClassification.RESTRICTED });
    expect(secret.encrypt).toBe(true);
  });

  it("drops escrow when the classification rises to Confidential or encryption is turned off", () => {
    const escrowed = { ...defaultChoices("a"), encrypt: true, escrow: true };
    expect(withClassification(escrowed, DataClassification.CONFIDENTIAL).escrow).toBe(false);
    expect(normaliseChoices({ ...escrowed, encrypt: false }).escrow).toBe(false);
    expect(normaliseChoices(escrowed)).toBe(escrowed);
  });
});

describe("datasetNameProblem", () => {
  it("accepts ordinary file names", () => {
    expect(datasetNameProblem("t10k-labels-idx1-ubyte.gz")).toBeUndefined();
    expect(datasetNameProblem("Images 2026 (v2).tar")).toBeUndefined();
  });

  it("refuses what the gateway refuses, saying why", () => {
    expect(datasetNameProblem("")).toMatch(/name/);
    expect(datasetNameProblem("a/b")).toMatch(/"\/"/);
    expect(datasetNameProblem("a@v2")).toMatch(/"@"/);
    expect(datasetNameProblem(" a")).toMatch(/space/);
    expect(datasetNameProblem("a\nb")).toMatch(/control/);
    expect(datasetNameProblem("..")).toMatch(/"\."/);
    expect(datasetNameProblem("x".repeat(129))).toMatch(/128/);
  });

  it("refuses, like the gateway, names that pass for others, naming the character", () => {
    expect(datasetNameProblem("report\u202Efdp.exe")).toMatch(
      /^A dataset name must not contain U\+202E RIGHT-TO-LEFT OVERRIDE \(.*\)\.$/,
    );
    expect(datasetNameProblem("ad\u200Dmin")).toMatch(/U\+200D ZERO WIDTH JOINER/);
    expect(datasetNameProblem("etc\uFF0Fpasswd")).toMatch(/U\+FF0F FULLWIDTH SOLIDUS/);
    expect(datasetNameProblem("a\u2215b")).toMatch(/U\+2215 DIVISION SLASH/);
    expect(datasetNameProblem("%2e%2e%2fx")).toMatch(/percent-encoded/);
    expect(datasetNameProblem("re\u0301sume\u0301")).toBeUndefined(); // stored as its NFC form
  });
});
