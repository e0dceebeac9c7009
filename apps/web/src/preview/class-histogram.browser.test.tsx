import { afterEach, describe, expect, it } from "vitest";
import { byTestId, type Rendered, render, until } from "../testing/render.js";
import { ClassHistogram } from "./class-histogram.js";

let r: Rendered | undefined;
afterEach(async () => {
  await r?.unmount();
  r = undefined;
});

const classes = [
  { label: "cat", count: 120 },
  { label: "dog", count: 80 },
  { label: "bird", count: 5 },
];

describe("ClassHistogram", () => {
  it("draws one bar per class, taller for more samples", async () => {
    r = await render(<ClassHistogram classes={classes} />);
    await until(() => expect(r!.container.querySelectorAll(".recharts-bar-rectangle path").length).toBe(3));
    const heights = [...r.container.querySelectorAll(".recharts-bar-rectangle path")].map(
      (p) => p.getBoundingClientRect().height,
    );
    expect(heights[0]).toBeGreaterThan(heights[1]!);
    expect(heights[1]).toBeGreaterThan(heights[2]!);
    expect(r.container.textContent).toContain("3 classes, 205 samples");
  });

  it("gives the numbers to screen readers: a named picture and a visually hidden table", async () => {
    r = await render(<ClassHistogram classes={classes} title="Labels in train.csv" />);
    const chart = r.container.querySelector('[role="img"]')!;
    expect(chart.getAttribute("aria-label")).toContain("Labels in train.csv");
    const table = byTestId(r.container, "class-histogram-table");
    const hidden = table.parentElement!;
    expect(hidden.className).toBe("visually-hidden");
    expect(hidden.getBoundingClientRect().width).toBeLessThanOrEqual(1);
    const rows = [...table.querySelectorAll("tbody tr")].map((tr) => [...tr.children].map((c) => c.textContent));
    expect(rows).toEqual([
      ["cat", "120"],
      ["dog", "80"],
      ["bird", "5"],
    ]);
  });
});
