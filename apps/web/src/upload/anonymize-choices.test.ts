import { describe, expect, it } from "vitest";
import {
  COLUMN_OPERATORS,
  columnsNeedingDecision,
  decisionSentence,
  defaultDecision,
  planFromDecisions,
} from "./anonymize-choices.js";

describe("the needs-a-decision rule", () => {
  const columns = [
    { name: "email", classification: "confidential" as const },
    { name: "ssn", classification: "restricted" as const },
    { name: "note", classification: "internal" as const },
  ];

  it("blocks every Confidential-or-above column with neither an operator nor keep", () => {
    expect(columnsNeedingDecision(columns, {})).toEqual(["email", "ssn"]);
    expect(columnsNeedingDecision(columns, { email: { operator: "hash" } })).toEqual(["ssn"]);
    expect(columnsNeedingDecision(columns, { email: { operator: "hash" }, ssn: { operator: "keep" } })).toEqual([]);
  });

  it("says which columns need a decision", () => {
    expect(decisionSentence([])).toBeUndefined();
    expect(decisionSentence(["email"])).toContain("“email”");
    expect(decisionSentence(["email", "ssn"])).toMatch(/“email”, “ssn”/);
  });
});

describe("plan building from the page's choices", () => {
  it("offers the per-column anonymizers of @cyxwiz/datasets/anonymize", () => {
    expect(COLUMN_OPERATORS).toEqual(["mask", "hash", "generalize", "suppress", "noise"]);
  });

  it("makes one step per operator, none for keep, k-anonymity last", () => {
    const plan = planFromDecisions(
      {
        email: { operator: "hash" },
        card: defaultDecision("mask"),
        zip: { operator: "generalize", kind: "prefix", amount: 3 },
        age: { operator: "generalize", kind: "bin", amount: 10 },
        note: { operator: "keep" },
        phone: { operator: "suppress" },
        salary: { operator: "noise", epsilon: 0.5, sensitivity: 100 },
        undecided: undefined,
      },
      { columns: ["city"], k: 3 },
    );
    expect(plan).toEqual([
      { column: "email", operator: "hash" },
      { column: "card", operator: "mask", params: { keep: 4 } },
      { column: "zip", operator: "generalize", params: { kind: "prefix", length: 3 } },
      { column: "age", operator: "generalize", params: { kind: "bin", width: 10 } },
      { column: "phone", operator: "suppress" },
      { column: "salary", operator: "noise", params: { epsilon: 0.5, sensitivity: 100 } },
      {
        columns: ["city"],
        operator: "kAnonymity",
        params: { k: 3, hierarchies: { city: [4, 3, 2, 1, 0].map((length) => ({ kind: "prefix", length })) } },
      },
    ]);
  });

  it("refuses parameters out of range, naming the column", () => {
    expect(() => planFromDecisions({ card: { operator: "mask", keep: -1 } })).toThrow(/mask of "card"/);
    expect(() => planFromDecisions({ s: { operator: "noise", epsilon: 0, sensitivity: 1 } })).toThrow(/noise of "s"/);
    expect(() => planFromDecisions({}, { columns: ["a"], k: 0 })).toThrow(/k-anonymity/);
  });
});
