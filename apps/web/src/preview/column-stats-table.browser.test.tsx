import { afterEach, describe, expect, it } from "vitest";
import { byTestId, type Rendered, render } from "../testing/render.js";
import { ColumnStatsTable } from "./column-stats-table.js";

let r: Rendered | undefined;
afterEach(async () => {
  await r?.unmount();
  r = undefined;
});

describe("ColumnStatsTable", () => {
  it("one row per column: type, nulls with their share, min, max, mean, distinct; a dash where absent", async () => {
    r = await render(
      <ColumnStatsTable
        columns={[
          {
            name: "pixel_mean",
            type: "float32",
            nulls: 12,
            count: 60000,
            min: 0,
            max: 255,
            mean: 33.318421,
            distinct: 256,
          },
          { name: "taken", type: "date32", nulls: 0, min: "2026-01-01", max: "2026-11-30" },
        ]}
      />,
    );
    const cells = (id: string) => [...byTestId(r!.container, id).children].map((c) => c.textContent);
    expect(cells("column-stats-pixel_mean")).toEqual([
      "pixel_mean",
      "float32",
      "12 (0.02%)",
      "0",
      "255",
      "33.32",
      "256",
    ]);
    expect(cells("column-stats-taken")).toEqual(["taken", "date32", "0", "2026-01-01", "2026-11-30", "–", "–"]);
  });
});
