import { afterEach, describe, expect, it } from "vitest";
import { type Rendered, render } from "../testing/render.js";
import { SampleTable } from "./sample-table.js";

let r: Rendered | undefined;
afterEach(async () => {
  await r?.unmount();
  r = undefined;
});

describe("SampleTable", () => {
  it("shows each header with its type, cells as given, and marks missing values", async () => {
    r = await render(
      <SampleTable
        columns={[
          { name: "id", type: "int64" },
          { name: "label", type: "utf8" },
        ]}
        rows={[
          ["1", "cat"],
          ["2", null],
        ]}
        totalRows={60000}
      />,
    );
    const headers = [...r.container.querySelectorAll("thead th")].map((th) => th.textContent);
    expect(headers).toEqual(["idint64", "labelutf8"]);
    const cells = [...r.container.querySelectorAll("tbody tr")].map((tr) =>
      [...tr.querySelectorAll("td")].map((td) => td.textContent),
    );
    expect(cells).toEqual([
      ["1", "cat"],
      ["2", "null"],
    ]);
    expect(r.container.querySelector("tbody .preview-null")?.textContent).toBe("null");
    expect(r.container.querySelector("caption")?.textContent).toContain("2 rows of 60,000");
  });

  it("scrolls sideways inside its frame when the columns are wider than the space", async () => {
    const columns = Array.from({ length: 30 }, (_, i) => ({ name: `feature_${i}`, type: "float32" }));
    r = await render(<SampleTable columns={columns} rows={[columns.map((_, i) => `${i * 1.5}`)]} />, { width: 400 });
    const frame = r.container.querySelector<HTMLElement>('[data-testid="sample-table"]')!;
    expect(frame.scrollWidth).toBeGreaterThan(frame.clientWidth);
    expect(frame.getBoundingClientRect().width).toBeLessThanOrEqual(400);
    expect(getComputedStyle(frame).overflowX).toBe("auto");
  });
});
