import { describe, expect, it } from "vitest";
import shardingDoc from "../../../../docs/sharding.md?raw";
import { isShardingError, SHARDING_ERROR_CODES, ShardingError } from "./sharding-error.js";

describe("sharding error catalogue", () => {
  it("docs/sharding.md documents exactly the codes of the catalogue, with the same meaning", () => {
    const documented = new Map(
      [...shardingDoc.matchAll(/^\| `(CYXW_ERR_SHARD_[A-Z_]+)` \| (.+) \|$/gm)].map((m) => [m[1]!, m[2]!]),
    );
    expect([...documented.keys()].sort()).toEqual(Object.keys(SHARDING_ERROR_CODES).sort());
    for (const [code, meaning] of Object.entries(SHARDING_ERROR_CODES))
      expect(documented.get(code), code).toBe(meaning);
  });

  it("is recognised by name and carries its code and place", () => {
    const e = new ShardingError("CYXW_ERR_SHARD_VALUE", 'row 3 has no label in column "y"', { row: 3, column: "y" });
    expect(isShardingError(e)).toBe(true);
    expect(isShardingError({ name: "ShardingError" })).toBe(true);
    expect(isShardingError(new Error("x"))).toBe(false);
    expect(e.message).toBe('CYXW_ERR_SHARD_VALUE: row 3 has no label in column "y"');
    expect([e.code, e.row, e.column]).toEqual(["CYXW_ERR_SHARD_VALUE", 3, "y"]);
  });
});
