import { afterEach, describe, expect, it } from "vitest";
import { userEvent } from "vitest/browser";
import { byTestId, type Rendered, render, until } from "../testing/render.js";
import type { ShardingSpec, ShardingStrategyOption } from "./preview-types.js";
import { ShardingPanel } from "./sharding-panel.js";

let r: Rendered | undefined;
afterEach(async () => {
  await r?.unmount();
  r = undefined;
});

const strategies: ShardingStrategyOption[] = [
  { name: "sample", label: "Contiguous samples" },
  { name: "hash", label: "Hash of a column", needsColumn: true, usesSeed: true },
];

describe("ShardingPanel", () => {
  it("reports the spec at once and after every valid edit; column and seed appear only for strategies that use them", async () => {
    const specs: ShardingSpec[] = [];
    r = await render(
      <ShardingPanel strategies={strategies} columns={["id", "label"]} onChange={(s) => specs.push(s)} />,
    );
    await until(() => expect(specs).toEqual([{ strategy: "sample", shardCount: 4 }]));
    expect(r.container.querySelector('[data-testid="sharding-column"]')).toBeNull();
    expect(r.container.querySelector('[data-testid="sharding-seed"]')).toBeNull();
    const options = [...byTestId(r.container, "sharding-strategy").querySelectorAll("option")].map(
      (o) => o.textContent,
    );
    expect(options).toEqual(["Contiguous samples", "Hash of a column"]);

    await userEvent.selectOptions(byTestId(r.container, "sharding-strategy"), "hash");
    await until(() => expect(specs.at(-1)).toEqual({ strategy: "hash", shardCount: 4, column: "id", seed: 0 }));
    await userEvent.selectOptions(byTestId(r.container, "sharding-column"), "label");
    await userEvent.fill(byTestId(r.container, "sharding-shards"), "16");
    await userEvent.fill(byTestId(r.container, "sharding-seed"), "7");
    await until(() => expect(specs.at(-1)).toEqual({ strategy: "hash", shardCount: 16, column: "label", seed: 7 }));
  });

  it("never reports an invalid spec: the field at fault says why until it is fixed", async () => {
    const specs: ShardingSpec[] = [];
    r = await render(
      <ShardingPanel strategies={strategies} columns={["id"]} maxShards={64} onChange={(s) => specs.push(s)} />,
    );
    await until(() => expect(specs.length).toBe(1));
    const shards = byTestId(r.container, "sharding-shards");
    await userEvent.fill(shards, "65");
    await until(() => expect(byTestId(r!.container, "sharding-error").textContent).toContain("1 to 64"));
    expect(shards.getAttribute("aria-invalid")).toBe("true");
    expect(specs.length).toBe(1);
    await userEvent.fill(shards, "8");
    await until(() => expect(specs.at(-1)).toEqual({ strategy: "sample", shardCount: 8 }));
    expect(r.container.querySelector('[data-testid="sharding-error"]')).toBeNull();
  });
});
