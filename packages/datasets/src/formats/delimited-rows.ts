import Papa from "papaparse";
import type { InputFile } from "../samples/input-file.js";
import { DatasetError } from "./dataset-error.js";
import type { ProgressCounter } from "./progress.js";
import { readUtf8Pieces } from "./utf8-text.js";

/** Rows of a delimited text file, with the line each starts on (from 1). */
export interface RowGroup {
  readonly rows: string[][];
  readonly lines: number[];
}

/**
 * Streams the rows of a CSV/TSV file: the text is read a piece at a time, cut after the last line
 * break outside quotes (an even number of `"` before it), and each whole-rows part is split by
 * papaparse (RFC 4180 quoting). Blank lines are skipped. Memory holds one piece and one partial
 * row, never the whole file.
 *
 * @throws DatasetError CYXW_ERR_DS_MALFORMED_ROW for broken quoting (with the line),
 *   CYXW_ERR_DS_ENCODING for text that is not UTF-8.
 */
export async function* readDelimitedRows(
  file: InputFile,
  delimiter: string,
  progress?: ProgressCounter,
): AsyncGenerator<RowGroup> {
  let carry = "";
  let line = 1;
  let newline: "\n" | "\r\n" | undefined;
  let carryByteOffset = 0;
  for await (const piece of readUtf8Pieces(file, progress)) {
    const text = carry + piece.text;
    if (carry === "") carryByteOffset = piece.byteOffset;
    const cut = lastBreakOutsideQuotes(text);
    if (cut < 0) {
      carry = text;
      continue;
    }
    newline ??= text[text.indexOf("\n") - 1] === "\r" ? "\r\n" : "\n";
    const group = parseRows(file, text.slice(0, cut + 1), delimiter, newline, line, carryByteOffset);
    line = group.nextLine;
    if (group.rows.length > 0) yield group;
    carry = text.slice(cut + 1);
    carryByteOffset = -1;
  }
  if (carry !== "") {
    newline ??= "\n";
    const group = parseRows(file, carry, delimiter, newline, line, carryByteOffset);
    if (group.rows.length > 0) yield group;
  }
}

function lastBreakOutsideQuotes(text: string): number {
  let quotes = 0;
  let last = -1;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 34) quotes++;
    else if (c === 10 && (quotes & 1) === 0) last = i;
  }
  return last;
}

function parseRows(
  file: InputFile,
  text: string,
  delimiter: string,
  newline: "\n" | "\r\n",
  firstLine: number,
  byteOffset: number,
): RowGroup & { nextLine: number } {
  let body = text;
  if (body.endsWith("\n")) body = body.slice(0, body.endsWith(newline) ? -newline.length : -1);
  const result = Papa.parse<string[]>(body, {
    delimiter,
    newline,
    quoteChar: '"',
    header: false,
    skipEmptyLines: false,
  });
  const lines: number[] = [];
  const rows: string[][] = [];
  const lineOfRow: number[] = [];
  let line = firstLine;
  for (const fields of result.data) {
    lineOfRow.push(line);
    let breaks = 0;
    for (const f of fields) if (f.includes("\n")) breaks += f.split("\n").length - 1;
    if (!(fields.length === 1 && fields[0] === "")) {
      rows.push(fields);
      lines.push(line);
    }
    line += 1 + breaks;
  }
  const error = result.errors[0];
  if (error !== undefined) {
    const at = error.row === undefined ? firstLine : (lineOfRow[error.row] ?? firstLine);
    throw new DatasetError(
      "CYXW_ERR_DS_MALFORMED_ROW",
      byteOffset >= 0 && at === firstLine ? { file: file.path, line: at, byteOffset } : { file: file.path, line: at },
      `${error.message} (papaparse ${error.code})`,
    );
  }
  return { rows, lines, nextLine: line };
}
