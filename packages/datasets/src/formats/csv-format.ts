import { createDelimitedFormat } from "./delimited-format.js";

/** CSV: comma-separated, RFC 4180 quoting, a header row (delimited-format.ts). */
export const csvFormat = createDelimitedFormat("csv", { delimiter: ",", quote: '"' }, ["csv"]);
