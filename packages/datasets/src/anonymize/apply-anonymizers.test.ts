import { tableFromArrays, tableFromJSON } from "apache-arrow";
import { describe, expect, it } from "vitest";
import { isAnonymizeError } from "./anonymize-error.js";
import { applyAnonymizers, type PlanStep } from "./apply-anonymizers.js";
import { pseudonym } from "./hash-operator.js";
import { laplaceSample } from "./noise-operator.js";
import { createSeededRandom } from "./seeded-random.js";

const ownerKey = new Uint8Array(32).fill(7);

const customers = tableFromJSON([
  { email: "ann@example.com", card: "4111111111111111", age: 34, zip: "02139", spend: 120.5 },
  { email: "bob@example.org", card: "5500000000000004", age: 37, zip: "02138", spend: 80 },
  { email: null, card: "340000000000009", age: 52, zip: "10001", spend: 42 },
]);

const column = (table: { getChild(n: string): { toArray(): unknown } | null }, name: string) =>
  Array.from(table.getChild(name)!.toArray() as ArrayLike<unknown>);

describe("applyAnonymizers", () => {
  it("applies each operator to its column and leaves the input table as it was", () => {
    const plan: PlanStep[] = [
      { column: "email", operator: "hash", params: { length: 16 } },
      { column: "card", operator: "mask", params: { keep: 4 } },
      { column: "age", operator: "generalize", params: { kind: "bin", width: 10 } },
      { column: "zip", operator: "suppress" },
      { column: "spend", operator: "noise", params: { sensitivity: 1, epsilon: 1 } },
    ];
    const { table, report } = applyAnonymizers(customers, plan, { ownerKey, random: createSeededRandom(1) });
    expect(column(table, "email")).toEqual([
      pseudonym(ownerKey, "ann@example.com", 16),
      pseudonym(ownerKey, "bob@example.org", 16),
      null,
    ]);
    expect(column(table, "card")).toEqual(["************1111", "************0004", "***********0009"]);
    expect(column(table, "age")).toEqual(["[30, 40)", "[30, 40)", "[50, 60)"]);
    expect(column(table, "zip")).toEqual([null, null, null]);
    // The noise is the seeded Laplace draws, in row order, of scale sensitivity/epsilon = 1.
    const draws = createSeededRandom(1);
    expect(column(table, "spend")).toEqual([120.5, 80, 42].map((v) => v + laplaceSample(1, draws)));
    expect(report).toEqual({
      rowsIn: 3,
      rowsOut: 3,
      steps: [
        { operator: "hash", column: "email", values: 2 },
        { operator: "mask", column: "card", values: 3 },
        { operator: "generalize", column: "age", values: 3 },
        { operator: "suppress", column: "zip", values: 3 },
        { operator: "noise", column: "spend", values: 3 },
      ],
    });
    expect(column(customers, "email")[0]).toBe("ann@example.com");
    expect(table.schema.fields.map((f) => f.name)).toEqual(["email", "card", "age", "zip", "spend"]);
  });

  it("truncates Arrow date and timestamp columns, and bins integer columns", () => {
    const table = tableFromArrays({
      seen: [new Date(Date.UTC(2024, 2, 15, 10)), new Date(Date.UTC(1999, 11, 31, 23, 59))],
      visits: Int32Array.from([7, 23]),
    });
    const { table: out } = applyAnonymizers(table, [
      { column: "seen", operator: "generalize", params: { kind: "date", unit: "month" } },
      { column: "visits", operator: "generalize", params: { kind: "bin", width: 5, origin: 0 } },
    ]);
    expect(column(out, "seen")).toEqual(["2024-03", "1999-12"]);
    expect(column(out, "visits")).toEqual(["[5, 10)", "[20, 25)"]);
    const timestamps = tableFromJSON([{ at: new Date(Date.UTC(2021, 5, 1)) }]);
    const day = applyAnonymizers(timestamps, [
      { column: "at", operator: "generalize", params: { kind: "date", unit: "day" } },
    ]);
    expect(column(day.table, "at")).toEqual(["2021-06-01"]);
  });

  it("gives one owner the same pseudonym across files and columns, another owner a different one", () => {
    const a = tableFromJSON([{ user: "u-17" }, { user: "u-18" }]);
    const b = tableFromJSON([{ uid: "u-18" }]);
    const ha = applyAnonymizers(a, [{ column: "user", operator: "hash" }], { ownerKey }).table;
    const hb = applyAnonymizers(b, [{ column: "uid", operator: "hash" }], { ownerKey }).table;
    const other = applyAnonymizers(b, [{ column: "uid", operator: "hash" }], { ownerKey: new Uint8Array(32) }).table;
    expect(column(hb, "uid")[0]).toBe(column(ha, "user")[1]);
    expect(column(other, "uid")[0]).not.toBe(column(hb, "uid")[0]);
  });

  it("k-anonymises: generalises along the hierarchies, suppresses what is left, reports k reached", () => {
    const rows = [
      ...Array.from({ length: 6 }, (_, i) => ({ age: 30 + i, zip: `0213${i}`, diagnosis: "flu" })),
      ...Array.from({ length: 5 }, (_, i) => ({ age: 40 + i, zip: `0214${i}`, diagnosis: "cold" })),
      { age: 90, zip: "99999", diagnosis: "rare" },
    ];
    const table = tableFromJSON(rows);
    const { table: out, report } = applyAnonymizers(table, [
      {
        columns: ["age", "zip"],
        operator: "kAnonymity",
        params: {
          k: 5,
          maxSuppressionRate: 0.1,
          hierarchies: {
            age: [
              { kind: "bin", width: 5 },
              { kind: "bin", width: 10 },
            ],
            zip: [
              { kind: "prefix", length: 4 },
              { kind: "prefix", length: 3 },
            ],
          },
        },
      },
    ]);
    expect(report.steps[0]).toEqual({
      operator: "kAnonymity",
      columns: ["age", "zip"],
      k: 5,
      kReached: 5,
      rowsSuppressed: 1,
      levels: { age: 2, zip: 1 },
    });
    expect(report.rowsOut).toBe(11);
    expect(column(out, "diagnosis")).not.toContain("rare");
    const groups = new Map<string, number>();
    for (let i = 0; i < out.numRows; i++) {
      const key = `${out.getChild("age")!.get(i)}|${out.getChild("zip")!.get(i)}`;
      groups.set(key, (groups.get(key) ?? 0) + 1);
    }
    expect(Object.fromEntries(groups)).toEqual({ "[30, 40)|0213": 6, "[40, 50)|0214": 5 });
  });

  it("suppresses rows when the hierarchies cannot reach k, and keeps other columns' types", () => {
    const table = tableFromArrays({ id: Int32Array.from([1, 2, 3, 4]), city: ["a", "a", "b", "c"] });
    const { table: out, report } = applyAnonymizers(table, [
      { columns: ["city"], operator: "kAnonymity", params: { k: 2 } },
    ]);
    expect(report.steps[0]).toMatchObject({ kReached: 2, rowsSuppressed: 2, levels: { city: 0 } });
    expect(column(out, "id")).toEqual([1, 2]);
    expect(String(out.schema.fields[0]!.type)).toBe("Int32");
  });

  it("reports k reached 0 when every row is suppressed", () => {
    const table = tableFromJSON([{ x: "a" }, { x: "b" }]);
    const { report, table: out } = applyAnonymizers(table, [
      { columns: ["x"], operator: "kAnonymity", params: { k: 3 } },
    ]);
    expect(report.steps[0]).toMatchObject({ kReached: 0, rowsSuppressed: 2 });
    expect(out.numRows).toBe(0);
  });

  it.each([
    [
      [{ column: "emial", operator: "mask" }],
      "CYXW_ANON_UNKNOWN_COLUMN",
      /plan step 1 .*no column "emial" \(columns: email, card/,
    ],
    [[{ column: "email", operator: "encrypt" }], "CYXW_ANON_UNKNOWN_OPERATOR", /unknown operator "encrypt"/],
    [[{ columns: ["age", "nope"], operator: "kAnonymity", params: { k: 2 } }], "CYXW_ANON_UNKNOWN_COLUMN", /"nope"/],
    [[{ column: "card", operator: "mask", params: { keep: -1 } }], "CYXW_ANON_PARAMS", /keep must be an integer/],
    [[{ column: "age", operator: "generalize", params: { kind: "bin", width: 0 } }], "CYXW_ANON_PARAMS", /width/],
    [[{ column: "age", operator: "generalize", params: { kind: "round" } }], "CYXW_ANON_PARAMS", /kind must be/],
    [[{ column: "age", operator: "noise", params: { sensitivity: 1, epsilon: 0 } }], "CYXW_ANON_PARAMS", /epsilon/],
    [[{ column: "zip", operator: "suppress", params: { all: true } }], "CYXW_ANON_PARAMS", /no parameters/],
    [
      [{ columns: ["age"], operator: "kAnonymity", params: { k: 2, hierarchies: { zip: [] } } }],
      "CYXW_ANON_PARAMS",
      /hierarchies names "zip"/,
    ],
    [[{ columns: [], operator: "kAnonymity", params: { k: 2 } }], "CYXW_ANON_PARAMS", /non-empty list/],
    [[{ column: "email", operator: "hash" }], "CYXW_ANON_KEY", /owner key of at least 16 bytes/],
    [[{ column: "email", operator: "noise", params: { sensitivity: 1, epsilon: 1 } }], "CYXW_ANON_VALUE", /row 0/],
    [
      [{ column: "email", operator: "generalize", params: { kind: "date", unit: "year" } }],
      "CYXW_ANON_VALUE",
      /a date/,
    ],
  ])("refuses a bad plan with a typed error naming the step (%#)", (plan, code, message) => {
    let caught: unknown;
    // A valid first step must not have run on anything either: the result is all or nothing.
    try {
      applyAnonymizers(customers, [{ column: "card", operator: "mask" }, ...(plan as PlanStep[])]);
    } catch (e) {
      caught = e;
    }
    expect(isAnonymizeError(caught)).toBe(true);
    expect(caught).toMatchObject({ code, message: expect.stringMatching(message) });
    expect((caught as Error).message).toMatch(/^plan step 1 /);
    expect(column(customers, "card")[0]).toBe("4111111111111111");
  });
});
