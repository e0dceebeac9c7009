import { afterEach, describe, expect, it } from "vitest";
import { byTestId, type Rendered, render, until } from "../testing/render.js";
import { ShardPreviewChart } from "./shard-preview-chart.js";

let r: Rendered | undefined;
afterEach(async () => {
  await r?.unmount();
  r = undefined;
});

describe("ShardPreviewChart", () => {
  it("one bar per shard when no classes are given", async () => {
    r = await render(
      <ShardPreviewChart
        shards={[
          { shard: 0, samples: 100 },
          { shard: 1, samples: 50 },
        ]}
      />,
    );
    expect(byTestId(r.container, "shard-preview-chart").dataset.stacked).toBe("false");
    await until(() => expect(r!.container.querySelectorAll(".recharts-bar-rectangle path").length).toBe(2));
  });

  it("stacks the bars by class, with a legend and the per-class numbers in the hidden table", async () => {
    r = await render(
      <ShardPreviewChart
        shards={[
          {
            shard: 0,
            samples: 10,
            classes: [
              { label: "cat", count: 6 },
              { label: "dog", count: 4 },
            ],
          },
          { shard: 1, samples: 9, classes: [{ label: "dog", count: 9 }] },
        ]}
      />,
    );
    expect(byTestId(r.container, "shard-preview-chart").dataset.stacked).toBe("true");
    await until(() => expect(r!.container.querySelectorAll(".recharts-bar-rectangle path").length).toBe(3));
    expect(r.container.querySelectorAll(".recharts-bar").length).toBe(2); // one series per class
    expect(r.container.querySelector(".recharts-legend-wrapper")?.textContent).toContain("cat");
    const rows = [...byTestId(r.container, "shard-preview-table").querySelectorAll("tbody tr")].map((tr) =>
      [...tr.children].map((c) => c.textContent),
    );
    expect(rows).toEqual([
      ["0", "10", "6", "4"],
      ["1", "9", "0", "9"],
    ]);
  });
});
