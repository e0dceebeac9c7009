"use client";

import { Bar, BarChart, CartesianGrid, Legend, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import { classColour } from "./chart-palette.js";
import type { ShardPreviewChartProps } from "./preview-types.js";
import { shardSeries } from "./shard-series.js";

/**
 * Samples per shard as bars, stacked by class when per-class counts are given, so an unbalanced
 * split shows at a glance. The numbers are also in a visually hidden table.
 */
export function ShardPreviewChart({ shards, title = "Samples per shard", height = 240 }: ShardPreviewChartProps) {
  const { rows, keys, stacked } = shardSeries(shards);
  const labelOf = (key: string) => (stacked ? key.slice("class:".length) : "Samples");
  return (
    <figure className="chart-figure" data-testid="shard-preview-chart" data-stacked={String(stacked)}>
      <figcaption className="chart-title">
        {title}
        <span className="muted small">
          {" "}
          · {shards.length} {shards.length === 1 ? "shard" : "shards"}
        </span>
      </figcaption>
      <div role="img" aria-label={`${title}: bar chart; the numbers are in the table that follows`}>
        <ResponsiveContainer width="100%" height={height}>
          <BarChart data={rows as Record<string, number | string>[]} margin={{ top: 8, right: 8, bottom: 4, left: 0 }}>
            <CartesianGrid strokeDasharray="3 3" vertical={false} stroke="#dde1e6" />
            <XAxis dataKey="shard" tick={{ fontSize: 12 }} interval="preserveStartEnd" />
            <YAxis allowDecimals={false} tick={{ fontSize: 12 }} width={48} />
            <Tooltip />
            {stacked && <Legend wrapperStyle={{ fontSize: 12 }} />}
            {keys.map((key, i) => (
              <Bar
                key={key}
                dataKey={key}
                name={labelOf(key)}
                stackId={stacked ? "classes" : undefined}
                fill={classColour(i)}
                isAnimationActive={false}
              />
            ))}
          </BarChart>
        </ResponsiveContainer>
      </div>
      {/* A table keeps its content's width, so the wrapper is what hides it. */}
      <div className="visually-hidden">
        <table data-testid="shard-preview-table">
          <caption>{title}</caption>
          <thead>
            <tr>
              <th scope="col">Shard</th>
              <th scope="col">Samples</th>
              {stacked &&
                keys.map((key) => (
                  <th scope="col" key={key}>
                    {labelOf(key)}
                  </th>
                ))}
            </tr>
          </thead>
          <tbody>
            {shards.map((s, i) => (
              <tr key={s.shard}>
                <th scope="row">{s.shard}</th>
                <td>{s.samples}</td>
                {stacked && keys.map((key) => <td key={key}>{rows[i]![key]}</td>)}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </figure>
  );
}
