export type { InputFile } from "./input-file.js";
