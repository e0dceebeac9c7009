"use client";

import { useEffect, useId, useRef, useState } from "react";
import type { ShardingPanelProps } from "./preview-types.js";
import { checkShardingDraft, MAX_SEED, type ShardingDraft } from "./sharding-spec.js";

/**
 * The sharding form: strategy (from the list given), shard count, the column the strategy reads
 * (when it reads one) and the seed (when it takes one). `onChange` hears the spec at once and after
 * every edit that leaves the form valid; while it is not, the field at fault says why.
 */
export function ShardingPanel({ strategies, columns, initial, maxShards = 1024, onChange }: ShardingPanelProps) {
  const [draft, setDraft] = useState<ShardingDraft>(() => ({
    strategy: initial?.strategy ?? strategies[0]?.name ?? "",
    shardCount: String(initial?.shardCount ?? 4),
    column: initial?.column ?? columns[0] ?? "",
    seed: String(initial?.seed ?? 0),
  }));
  const id = useId();
  const checked = checkShardingDraft(draft, strategies, columns, maxShards);
  const strategy = strategies.find((s) => s.name === draft.strategy);
  const onChangeRef = useRef(onChange);
  onChangeRef.current = onChange;
  const specKey = checked.ok ? JSON.stringify(checked.spec) : undefined;

  useEffect(() => {
    if (specKey !== undefined) onChangeRef.current(JSON.parse(specKey));
  }, [specKey]);

  const set = (field: keyof ShardingDraft) => (event: { target: { value: string } }) =>
    setDraft((d) => ({ ...d, [field]: event.target.value }));
  const problem = (field: string) => (!checked.ok && checked.field === field ? checked.message : undefined);
  const errorId = `${id}-error`;

  return (
    <fieldset className="choices sharding-panel" data-testid="sharding-panel">
      <legend className="visually-hidden">Sharding</legend>
      <label>
        Strategy
        <select
          value={draft.strategy}
          onChange={set("strategy")}
          aria-invalid={problem("strategy") !== undefined}
          aria-describedby={problem("strategy") === undefined ? undefined : errorId}
          data-testid="sharding-strategy"
        >
          {strategy === undefined && <option value={draft.strategy}>Choose…</option>}
          {strategies.map((s) => (
            <option key={s.name} value={s.name} title={s.description}>
              {s.label}
            </option>
          ))}
        </select>
      </label>
      <label>
        Shards
        <input
          type="number"
          inputMode="numeric"
          min={1}
          max={maxShards}
          step={1}
          value={draft.shardCount}
          onChange={set("shardCount")}
          aria-invalid={problem("shardCount") !== undefined}
          aria-describedby={problem("shardCount") === undefined ? undefined : errorId}
          className="sharding-number"
          data-testid="sharding-shards"
        />
      </label>
      {strategy?.needsColumn === true && (
        <label>
          Column
          <select
            value={draft.column}
            onChange={set("column")}
            aria-invalid={problem("column") !== undefined}
            aria-describedby={problem("column") === undefined ? undefined : errorId}
            data-testid="sharding-column"
          >
            {!columns.includes(draft.column) && <option value={draft.column}>Choose…</option>}
            {columns.map((c) => (
              <option key={c} value={c}>
                {c}
              </option>
            ))}
          </select>
        </label>
      )}
      {strategy?.usesSeed === true && (
        <label>
          Seed
          <input
            type="number"
            inputMode="numeric"
            min={0}
            max={MAX_SEED}
            step={1}
            value={draft.seed}
            onChange={set("seed")}
            aria-invalid={problem("seed") !== undefined}
            aria-describedby={problem("seed") === undefined ? undefined : errorId}
            className="sharding-number"
            data-testid="sharding-seed"
          />
        </label>
      )}
      {strategy?.description !== undefined && <p className="hint sharding-description">{strategy.description}</p>}
      {!checked.ok && (
        <p id={errorId} className="small error sharding-error" role="alert" data-testid="sharding-error">
          {checked.message}
        </p>
      )}
    </fieldset>
  );
}
