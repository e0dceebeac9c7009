import { createDelimitedFormat } from "./delimited-format.js";

/** TSV: tab-separated, a header row (delimited-format.ts). */
export const tsvFormat = createDelimitedFormat("tsv", "\t", ["tsv", "tab"]);
