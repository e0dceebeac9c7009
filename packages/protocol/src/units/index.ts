export { formatBytes, formatRate, parseByteSize } from "./byte-units.js";
