"use client";

import type { ColumnStatsTableProps } from "./preview-types.js";
import { formatStat } from "./stat-format.js";

/** Per-column statistics: type, missing values (with their share when the count is known), min, max, mean, distinct. */
export function ColumnStatsTable({ columns, caption = "Column statistics" }: ColumnStatsTableProps) {
  return (
    <div className="table-wrap preview-scroll" data-testid="column-stats">
      <table className="datasets preview-table">
        <caption className="preview-caption">{caption}</caption>
        <thead>
          <tr>
            <th scope="col">Column</th>
            <th scope="col">Type</th>
            <th scope="col" className="num">
              Nulls
            </th>
            <th scope="col" className="num">
              Min
            </th>
            <th scope="col" className="num">
              Max
            </th>
            <th scope="col" className="num">
              Mean
            </th>
            <th scope="col" className="num">
              Distinct
            </th>
          </tr>
        </thead>
        <tbody>
          {columns.map((c) => (
            <tr key={c.name} data-testid={`column-stats-${c.name}`}>
              <th scope="row">{c.name}</th>
              <td>
                <span className="preview-column-type">{c.type}</span>
              </td>
              <td className="num">
                {formatStat(c.nulls)}
                {c.count !== undefined && c.count > 0 && (
                  <span className="muted small"> ({formatStat((100 * c.nulls) / c.count)}%)</span>
                )}
              </td>
              <td className="num">{formatStat(c.min)}</td>
              <td className="num">{formatStat(c.max)}</td>
              <td className="num">{formatStat(c.mean)}</td>
              <td className="num">{formatStat(c.distinct)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
