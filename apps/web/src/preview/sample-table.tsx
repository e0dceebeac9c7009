"use client";

import type { SampleTableProps } from "./preview-types.js";

/**
 * The first rows of a tabular dataset: headers with each column's type, cells as given, missing
 * values marked. Wide tables scroll sideways inside their frame (the page itself does not).
 */
export function SampleTable({ columns, rows, totalRows, caption = "Sample rows" }: SampleTableProps) {
  return (
    <div className="table-wrap preview-scroll" data-testid="sample-table">
      <table className="datasets preview-table">
        <caption className="preview-caption">
          {caption}
          <span className="muted small">
            {" "}
            · {rows.length === 1 ? "1 row" : `${rows.length.toLocaleString()} rows`}
            {totalRows === undefined ? "" : ` of ${totalRows.toLocaleString()}`}
          </span>
        </caption>
        <thead>
          <tr>
            {columns.map((c) => (
              <th key={c.name} scope="col">
                <span className="preview-column-name">{c.name}</span>
                <span className="preview-column-type">{c.type}</span>
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.map((row, r) => (
            // biome-ignore lint/suspicious/noArrayIndexKey: a sample row's position is its identity
            <tr key={r}>
              {columns.map((c, i) => {
                const cell = row[i];
                return (
                  <td key={c.name}>
                    {cell === null || cell === undefined ? <span className="preview-null">null</span> : cell}
                  </td>
                );
              })}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
