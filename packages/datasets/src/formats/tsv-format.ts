import { createDelimitedFormat } from "./delimited-format.js";

/**
 * TSV: tab-separated, a header row, no quoting (IANA text/tab-separated-values: fields hold no tab
 * or line break, and a `"` is just a character) (delimited-format.ts).
 */
export const tsvFormat = createDelimitedFormat("tsv", { delimiter: "\t", quote: null }, ["tsv", "tab"]);
