import { STRATEGY_NAMES } from "@cyxwiz/datasets/sharding";
import { describe, expect, it } from "vitest";
import { NO_SHARDING, packOrderOf, UPLOAD_SHARDING_OPTIONS } from "./pack-order-choice.js";

describe("the sharding choice as a pack order", () => {
  it("offers none plus strategies the sharding library knows", () => {
    for (const o of UPLOAD_SHARDING_OPTIONS) if (o.name !== NO_SHARDING) expect(STRATEGY_NAMES).toContain(o.name);
  });

  it("keeps the source order for none, and carries shards, column and seed otherwise", () => {
    expect(packOrderOf({ strategy: NO_SHARDING, shardCount: 4 })).toBeUndefined();
    expect(packOrderOf({ strategy: "class-balanced", shardCount: 3, column: "label", seed: 0 })).toEqual({
      strategy: "class-balanced",
      shards: 3,
      column: "label",
      seed: 0,
    });
    expect(() => packOrderOf({ strategy: "feature", shardCount: 2 })).toThrow(/not a pack order/);
  });
});
