"use client";

import { Bar, BarChart, CartesianGrid, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import { classColour } from "./chart-palette.js";
import type { ClassHistogramProps } from "./preview-types.js";

/**
 * Samples per class as a bar chart. The chart is a picture to screen readers, named by its
 * title; the numbers are in a visually hidden table beside it.
 */
export function ClassHistogram({ classes, title = "Samples per class", height = 240 }: ClassHistogramProps) {
  const total = classes.reduce((sum, c) => sum + c.count, 0);
  const data = classes.map((c) => ({ label: c.label, count: c.count }));
  return (
    <figure className="chart-figure" data-testid="class-histogram">
      <figcaption className="chart-title">
        {title}
        <span className="muted small">
          {" "}
          · {classes.length} {classes.length === 1 ? "class" : "classes"}, {total.toLocaleString("en-US")} samples
        </span>
      </figcaption>
      <div role="img" aria-label={`${title}: bar chart; the numbers are in the table that follows`}>
        <ResponsiveContainer width="100%" height={height}>
          <BarChart data={data} margin={{ top: 8, right: 8, bottom: 4, left: 0 }}>
            <CartesianGrid strokeDasharray="3 3" vertical={false} stroke="#dde1e6" />
            <XAxis dataKey="label" tick={{ fontSize: 12 }} interval="preserveStartEnd" />
            <YAxis allowDecimals={false} tick={{ fontSize: 12 }} width={48} />
            <Tooltip />
            <Bar dataKey="count" name="Samples" fill={classColour(0)} isAnimationActive={false} />
          </BarChart>
        </ResponsiveContainer>
      </div>
      {/* A table keeps its content's width, so the wrapper is what hides it. */}
      <div className="visually-hidden">
        <table data-testid="class-histogram-table">
          <caption>{title}</caption>
          <thead>
            <tr>
              <th scope="col">Class</th>
              <th scope="col">Samples</th>
            </tr>
          </thead>
          <tbody>
            {classes.map((c) => (
              <tr key={c.label}>
                <th scope="row">{c.label}</th>
                <td>{c.count}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </figure>
  );
}
