import type { ClassificationName } from "@cyxwiz/protocol/vocab";
import { DataType, type RecordBatch, type Table, Type, type Vector } from "apache-arrow";
import { suggestClassification } from "./classification-rule.js";
import type { BuiltInFindingType } from "./detector-registry.js";
import { createValueDetector, type FindingType, type ScanOptions, type ValueDetector } from "./value-detector.js";

/** How many row indices a finding keeps as examples. */
export const MAX_EXAMPLES = 5;

/** One finding type in one column. */
export interface Finding {
  readonly type: FindingType;
  /** Values (cells) holding it at least once. */
  readonly count: number;
  /** `count` over the column's non-null values examined (0 when there were none). */
  readonly rate: number;
  /** Up to {@link MAX_EXAMPLES} row indices (0-based, over every batch added) holding it, first ones first. */
  readonly examples: readonly number[];
}

/** One column: its findings in report order, empty when nothing was found or it was not examined. */
export interface ColumnReport {
  readonly name: string;
  readonly findings: readonly Finding[];
}

/** The scan's answer; `cyxwiz scan --json` prints exactly this. */
export interface ScanReport {
  readonly columns: readonly ColumnReport[];
  readonly suggestedClassification: ClassificationName;
}

/** A scan fed batch by batch, so a file never has to be in memory whole. */
export interface Scanner {
  /** Scans the next rows; row indices continue from the rows added before. */
  add(rows: RecordBatch | Table): void;
  /** The report over every row added so far (can be called again after more rows). */
  report(): ScanReport;
}

/**
 * How a column's values become text: strings as they are, integers in decimal (a phone or card
 * number read as a number is still one). Other types (floats, booleans, dates, binary, nested)
 * are not examined.
 */
function textReader(type: DataType): ((vector: Vector, row: number) => string | null) | undefined {
  const valueType: DataType = DataType.isDictionary(type) ? type.dictionary : type;
  switch (valueType.typeId) {
    case Type.Utf8:
    case Type.LargeUtf8:
      return (vector, row) => vector.get(row) as string | null;
    case Type.Int:
      return (vector, row) => {
        const value = vector.get(row) as number | bigint | null;
        return value === null ? null : String(value);
      };
    default:
      return undefined;
  }
}

interface Tally {
  count: number;
  readonly examples: number[];
}

interface ColumnState {
  readonly name: string;
  readonly hints: ReadonlySet<BuiltInFindingType>;
  examined: number;
  readonly tallies: Map<FindingType, Tally>;
}

/**
 * A streaming scan for personal data (seed §4.3): add Arrow batches as they are read, then ask
 * for the report. Columns are reported in the order first seen; a column missing from a later
 * batch is simply not examined there.
 *
 * @throws ScanError (from the options) `CYXW_SCAN_OPTIONS` or `CYXW_SCAN_PATTERN`.
 * @example
 * const scanner = createScanner({ custom: [{ name: "employee_id", pattern: /\bE\d{6}\b/ }] });
 * for await (const batch of batches) scanner.add(batch);
 * const { columns, suggestedClassification } = scanner.report();
 */
export function createScanner(options: ScanOptions = {}): Scanner {
  const detector: ValueDetector = createValueDetector(options);
  const columns = new Map<string, ColumnState>();
  let rowOffset = 0;

  function stateOf(name: string): ColumnState {
    let state = columns.get(name);
    if (state === undefined) {
      state = { name, hints: detector.hintsFor(name), examined: 0, tallies: new Map() };
      columns.set(name, state);
    }
    return state;
  }

  return {
    add(rows) {
      for (const field of rows.schema.fields) {
        const state = stateOf(field.name);
        const read = textReader(field.type);
        const vector = rows.getChild(field.name);
        if (read === undefined || vector === null) continue;
        for (let row = 0; row < rows.numRows; row++) {
          const text = read(vector, row);
          if (text === null) continue;
          state.examined += 1;
          for (const type of detector.detect(text, state.hints)) {
            let tally = state.tallies.get(type);
            if (tally === undefined) {
              tally = { count: 0, examples: [] };
              state.tallies.set(type, tally);
            }
            tally.count += 1;
            if (tally.examples.length < MAX_EXAMPLES) tally.examples.push(rowOffset + row);
          }
        }
      }
      rowOffset += rows.numRows;
    },
    report() {
      const found = new Set<FindingType>();
      const report: ColumnReport[] = [...columns.values()].map((state) => ({
        name: state.name,
        findings: detector.types.flatMap((type) => {
          const tally = state.tallies.get(type);
          if (tally === undefined) return [];
          found.add(type);
          return [{ type, count: tally.count, rate: tally.count / state.examined, examples: [...tally.examples] }];
        }),
      }));
      return {
        columns: report,
        suggestedClassification: suggestClassification([...found].map((t) => detector.classificationOf(t))),
      };
    },
  };
}

/** Scans a whole table at once: {@link createScanner}, one `add`, the report. */
export function scanTable(table: Table, options: ScanOptions = {}): ScanReport {
  const scanner = createScanner(options);
  scanner.add(table);
  return scanner.report();
}
