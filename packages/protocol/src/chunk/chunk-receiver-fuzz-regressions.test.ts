/**
 * Replays the pinned chunk receiver fuzz scripts (chunk-receiver-fuzz-regressions.json) on every
 * run, in Node and Chromium, with every property of the slow fuzz checked. An entry marked `open`
 * is a known bug and must still fail; fixing it turns its test red, and then `open` goes.
 * docs/testing.md, "Fuzzing".
 */
import { loadPrimitives } from "@cyxwiz/protocol/primitives";
import { describe, expect, it } from "vitest";
import { type PinnedReceiverScript, runReceiverScript } from "../../test-support/receiver-fuzz.js";
import corpus from "./chunk-receiver-fuzz-regressions.json";

const p = await loadPrimitives();
const entries = corpus.scripts as (PinnedReceiverScript & { open?: string })[];

describe("pinned chunk receiver fuzz scripts", () => {
  for (const entry of entries) {
    const replay = async () => {
      const run = await runReceiverScript(p, entry.script);
      expect(run.stored).toBeLessThanOrEqual(entry.script.numChunks);
    };
    if (entry.open === undefined) it(entry.name, replay);
    else it.fails(`${entry.name} (still open: ${entry.open})`, replay);
  }
});
