/**
 * The TF.js backends training runs on, fastest first (docs/training.md "Backends"). Apart from
 * backend-choice.ts so that naming them (a CLI's option choices) does not load TF.js.
 */
export const BACKENDS = ["webgpu", "wasm", "cpu"] as const;
export type BackendName = (typeof BACKENDS)[number];
export type BackendPreference = BackendName | "auto";
