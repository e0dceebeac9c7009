import { describe, expect, it } from "vitest";
import type { ShardingStrategyOption } from "./preview-types.js";
import { checkShardingDraft } from "./sharding-spec.js";

const strategies: ShardingStrategyOption[] = [
  { name: "sample", label: "Contiguous samples" },
  { name: "hash", label: "Hash of a column", needsColumn: true, usesSeed: true },
];
const columns = ["id", "label"];
const draft = { strategy: "hash", shardCount: "8", column: "label", seed: "42" };

describe("checkShardingDraft", () => {
  it("gives the spec, with column and seed only where the strategy uses them", () => {
    expect(checkShardingDraft(draft, strategies, columns, 1024)).toEqual({
      ok: true,
      spec: { strategy: "hash", shardCount: 8, column: "label", seed: 42 },
    });
    expect(checkShardingDraft({ ...draft, strategy: "sample" }, strategies, columns, 1024)).toEqual({
      ok: true,
      spec: { strategy: "sample", shardCount: 8 },
    });
  });

  it("names the field that is wrong", () => {
    const check = (d: Partial<typeof draft>, cols = columns) =>
      checkShardingDraft({ ...draft, ...d }, strategies, cols, 64);
    expect(check({ strategy: "nope" })).toMatchObject({ ok: false, field: "strategy" });
    for (const shardCount of ["0", "65", "2.5", "", "-1", "1e3"])
      expect(check({ shardCount })).toMatchObject({
        ok: false,
        field: "shardCount",
        message: expect.stringContaining("1 to 64"),
      });
    expect(check({ column: "missing" })).toMatchObject({ ok: false, field: "column" });
    expect(check({}, [])).toMatchObject({ ok: false, field: "column", message: expect.stringContaining("has none") });
    expect(check({ seed: "4294967296" })).toMatchObject({ ok: false, field: "seed" });
    expect(check({ seed: "4294967295" })).toMatchObject({ ok: true });
  });
});
