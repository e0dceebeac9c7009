"use client";

import { ClassHistogram } from "../preview/class-histogram.js";
import { ColumnStatsTable } from "../preview/column-stats-table.js";
import { ImageGrid } from "../preview/image-grid.js";
import { SampleTable } from "../preview/sample-table.js";
import { ShardPreviewChart } from "../preview/shard-preview-chart.js";
import { ShardingPanel } from "../preview/sharding-panel.js";
import { atLeastConfidential, COLUMN_OPERATORS, type ColumnDecision, defaultDecision } from "./anonymize-choices.js";
import { NO_SHARDING, UPLOAD_SHARDING_OPTIONS } from "./pack-order-choice.js";
import type { ScannedColumn } from "./sample-analysis.js";
import type { SampleRowState } from "./sample-row.js";
import { useUploadManager } from "./upload-manager.js";

/** The sample side of a row before it starts: reading progress, preview, scan decisions and sharding. */
export function SamplePanel({ id, f, sample }: { id: string; f: string; sample: SampleRowState }) {
  const manager = useUploadManager();
  if (sample.status === "analysing")
    return (
      <div className="sample-analysing" data-testid={`upload-analysing-${f}`}>
        <progress max={100} value={Math.round(sample.fraction * 100)} aria-label={`Reading ${f}`} /> Reading the
        dataset…
      </div>
    );
  if (sample.status === "opaque")
    return (
      <p className="muted small" data-testid={`upload-opaque-${f}`}>
        No dataset format recognised: opaque file, uploaded as bytes.
      </p>
    );
  if (sample.status === "invalid")
    return (
      <p className="error" role="alert" data-testid={`upload-invalid-${f}`}>
        {sample.message}
      </p>
    );
  const a = sample.analysis;
  if (a === undefined) return null;
  const columnNames = a.schema.map((c) => c.name);
  return (
    <div className="stack sample-panel" data-testid={`upload-samples-${f}`}>
      <p className="muted small" data-testid={`upload-format-${f}`}>
        {a.format} · {a.numSamples.toLocaleString("en-US")} samples · {a.schema.length} columns
        {a.labelColumn === undefined ? "" : ` · label “${a.labelColumn}”`}
      </p>
      {a.images.length > 0 && <ImageGrid images={a.images} caption="First images" />}
      {a.images.length === 0 && <SampleTable columns={a.schema} rows={a.rows} totalRows={a.numSamples} />}
      {a.histogram.length > 0 && <ClassHistogram classes={a.histogram} />}
      <details>
        <summary>Column statistics</summary>
        <ColumnStatsTable columns={a.stats} />
      </details>
      <section className="scan" data-testid={`upload-scan-${f}`} aria-label="Personal data">
        <h3>Personal data</h3>
        {a.scanned.length === 0 ? (
          <p className="muted small">The scan found no emails, phone numbers, SSNs, card numbers or IP addresses.</p>
        ) : (
          <ul className="scan-list">
            {a.scanned.map((c) => (
              <ScanColumnItem
                key={c.name}
                f={f}
                column={c}
                decision={sample.decisions[c.name]}
                onChange={(d) => manager.setDecision(id, c.name, d)}
              />
            ))}
          </ul>
        )}
        <p className="muted small" data-testid={`upload-suggested-${f}`}>
          Suggested classification: {a.suggestedClassification}
        </p>
        <KAnonymityField id={id} f={f} columns={columnNames} sample={sample} />
      </section>
      <section className="sharding" aria-label="Sharding">
        <h3>Sharding</h3>
        <ShardingPanel
          strategies={UPLOAD_SHARDING_OPTIONS}
          columns={columnNames}
          initial={{ strategy: NO_SHARDING, ...(a.labelColumn === undefined ? {} : { column: a.labelColumn }) }}
          maxShards={Math.max(1, Math.min(1024, a.numSamples))}
          onChange={(spec) => manager.setSharding(id, spec)}
        />
        {sample.shardProblem !== undefined && (
          <p className="error small" data-testid={`upload-shard-problem-${f}`}>
            {sample.shardProblem}
          </p>
        )}
        {sample.shards !== undefined && sample.shards.length > 0 && <ShardPreviewChart shards={sample.shards} />}
      </section>
    </div>
  );
}

function ScanColumnItem({
  f,
  column,
  decision,
  onChange,
}: {
  f: string;
  column: ScannedColumn;
  decision: ColumnDecision | undefined;
  onChange: (d: ColumnDecision | undefined) => void;
}) {
  const testid = `${f}-${column.name}`;
  return (
    <li data-testid={`upload-scan-column-${testid}`} data-classification={column.classification}>
      <strong>{column.name}</strong>{" "}
      <span className="muted small">
        {column.findings
          .map((x) => `${x.type}: ${x.count.toLocaleString("en-US")} (${(x.rate * 100).toFixed(1)}%)`)
          .join(", ")}{" "}
        · {column.classification}
        {atLeastConfidential(column.classification) ? " · needs a decision" : ""}
      </span>
      <label>
        Anonymizer
        <select
          value={decision?.operator ?? ""}
          onChange={(e) =>
            onChange(e.target.value === "" ? undefined : defaultDecision(e.target.value as ColumnDecision["operator"]))
          }
          data-testid={`upload-operator-${testid}`}
        >
          <option value="">Choose…</option>
          <option value="keep">Keep as is</option>
          {COLUMN_OPERATORS.map((o) => (
            <option key={o} value={o}>
              {o}
            </option>
          ))}
        </select>
      </label>
      {decision !== undefined && <DecisionParams testid={testid} decision={decision} onChange={onChange} />}
    </li>
  );
}

function DecisionParams({
  testid,
  decision,
  onChange,
}: {
  testid: string;
  decision: ColumnDecision;
  onChange: (d: ColumnDecision) => void;
}) {
  const num = (label: string, value: number, set: (n: number) => ColumnDecision, step = 1) => (
    <label>
      {label}
      <input
        type="number"
        step={step}
        value={Number.isNaN(value) ? "" : value}
        onChange={(e) => onChange(set(e.target.value === "" ? Number.NaN : Number(e.target.value)))}
        className="sharding-number"
        data-testid={`upload-param-${testid}-${label.toLowerCase()}`}
      />
    </label>
  );
  switch (decision.operator) {
    case "mask":
      return num("Keep", decision.keep, (keep) => ({ ...decision, keep }));
    case "generalize":
      return (
        <>
          <select
            value={decision.kind}
            onChange={(e) => onChange({ ...decision, kind: e.target.value as "prefix" | "bin" })}
            aria-label="Generalize by"
          >
            <option value="prefix">prefix of length</option>
            <option value="bin">bins of width</option>
          </select>
          {num("Amount", decision.amount, (amount) => ({ ...decision, amount }))}
        </>
      );
    case "noise":
      return (
        <>
          {num("Epsilon", decision.epsilon, (epsilon) => ({ ...decision, epsilon }), 0.1)}
          {num("Sensitivity", decision.sensitivity, (sensitivity) => ({ ...decision, sensitivity }), 0.1)}
        </>
      );
    default:
      return null;
  }
}

/** Optional k-anonymity: the quasi-identifier columns and k. */
function KAnonymityField({
  id,
  f,
  columns,
  sample,
}: {
  id: string;
  f: string;
  columns: readonly string[];
  sample: SampleRowState;
}) {
  const manager = useUploadManager();
  const chosen = sample.kAnonymity?.columns ?? [];
  const k = sample.kAnonymity?.k ?? 5;
  const set = (cols: readonly string[], kk: number) =>
    manager.setKAnonymity(id, cols.length === 0 ? undefined : { columns: cols, k: kk });
  return (
    <details data-testid={`upload-kanon-${f}`}>
      <summary>k-anonymity (optional)</summary>
      <p className="muted small">
        Quasi-identifier columns are cut to shorter prefixes until every combination is shared by at least k rows.
      </p>
      <div className="choices">
        {columns.map((c) => (
          <label key={c} className="check">
            <input
              type="checkbox"
              checked={chosen.includes(c)}
              onChange={(e) => set(e.target.checked ? [...chosen, c] : chosen.filter((x) => x !== c), k)}
            />
            {c}
          </label>
        ))}
        <label>
          k
          <input
            type="number"
            min={1}
            step={1}
            value={k}
            onChange={(e) => set(chosen, Number(e.target.value))}
            className="sharding-number"
          />
        </label>
      </div>
    </details>
  );
}
