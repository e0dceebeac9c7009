import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { TRAINING_ERROR_CODES } from "./training-error.js";

describe("training error codes", () => {
  it("docs/training.md lists every code with the same meaning, and no other", () => {
    const doc = readFileSync(new URL("../../../docs/training.md", import.meta.url), "utf8");
    const rows = [...doc.matchAll(/^\| `(CYXW_ERR_TR_\w+)` \| (.+) \|$/gm)].map((m) => [m[1], m[2]]);
    expect(Object.fromEntries(rows)).toEqual(TRAINING_ERROR_CODES);
  });
});
