import Papa from "papaparse";
import type { InputFile } from "../samples/input-file.js";
import { DatasetError } from "./dataset-error.js";
import type { ProgressCounter } from "./progress.js";
import { readUtf8Pieces } from "./utf8-text.js";

/** How a delimited format splits text: its delimiter, and its quote character (none for TSV). */
export interface Dialect {
  readonly delimiter: string;
  readonly quote: string | null;
}

/** Rows of a delimited text file, with the line each starts on (from 1). */
export interface RowGroup {
  readonly rows: string[][];
  readonly lines: number[];
}

/**
 * Streams the rows of a CSV/TSV file: the text is read a piece at a time, cut after the last line
 * break outside quotes (an even number of quote characters before it), and each whole-rows part
 * is split by papaparse (RFC 4180 quoting when the dialect has a quote). Blank lines are skipped. Memory holds one piece and one partial
 * row, never the whole file.
 *
 * @throws DatasetError CYXW_ERR_DS_MALFORMED_ROW for broken quoting (with the line),
 *   CYXW_ERR_DS_ENCODING for text that is not UTF-8.
 */
export async function* readDelimitedRows(
  file: InputFile,
  dialect: Dialect,
  progress?: ProgressCounter,
): AsyncGenerator<RowGroup> {
  let carry = "";
  let line = 1;
  let newline: "\n" | "\r\n" | undefined;
  let carryByteOffset = 0;
  for await (const piece of readUtf8Pieces(file, progress)) {
    const text = carry + piece.text;
    if (carry === "") carryByteOffset = piece.byteOffset;
    const cut = lastBreakOutsideQuotes(text, dialect.quote);
    if (cut < 0) {
      carry = text;
      continue;
    }
    // A break outside quotes decides the line ending (a quoted cell may hold either kind).
    newline ??= text[cut - 1] === "\r" ? "\r\n" : "\n";
    const group = parseRows(file, text.slice(0, cut + 1), dialect, newline, line, carryByteOffset);
    line = group.nextLine;
    if (group.rows.length > 0) yield group;
    carry = text.slice(cut + 1);
    carryByteOffset = -1;
  }
  if (carry !== "") {
    newline ??= "\n";
    const group = parseRows(file, carry, dialect, newline, line, carryByteOffset);
    if (group.rows.length > 0) yield group;
  }
}

function lastBreakOutsideQuotes(text: string, quote: string | null): number {
  if (quote === null) return text.lastIndexOf("\n");
  const q = quote.charCodeAt(0);
  let quotes = 0;
  let last = -1;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === q) quotes++;
    else if (c === 10 && (quotes & 1) === 0) last = i;
  }
  return last;
}

function parseRows(
  file: InputFile,
  text: string,
  dialect: Dialect,
  newline: "\n" | "\r\n",
  firstLine: number,
  byteOffset: number,
): RowGroup & { nextLine: number } {
  let body = text;
  if (body.endsWith("\n")) body = body.slice(0, body.endsWith(newline) ? -newline.length : -1);
  const result = Papa.parse<string[]>(body, {
    delimiter: dialect.delimiter,
    newline,
    // No quoting: a quote character that text files do not hold (papaparse always has one).
    quoteChar: dialect.quote ?? "\u0000",
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
