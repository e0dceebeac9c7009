/**
 * The slow chunk receiver fuzz (npm run test:fuzz; docs/testing.md, "Fuzzing"): generated scripts
 * of valid, damaged, duplicate and out-of-order frames, pipelined or not, against a store that is
 * slow or fails, in streaming and full mode, plain and encrypted. A failure prints the script to
 * pin in chunk-receiver-fuzz-regressions.json, which the fast suite replays.
 */
import { loadPrimitives } from "@cyxwiz/protocol/primitives";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { assertFuzz } from "../../../../test-support/fuzz.js";
import { receiverScriptArb, runReceiverScript } from "../../test-support/receiver-fuzz.js";

const p = await loadPrimitives();

describe("chunk receiver, fuzzed", () => {
  it("never throws, never stores a chunk twice or a damaged one, never acks a damaged frame OK, and completes after a resend", async () => {
    const totals = { scripts: 0, stored: 0, refusals: 0, injectedFailures: 0 };
    await assertFuzz(
      fc.asyncProperty(receiverScriptArb, async (script) => {
        const run = await runReceiverScript(p, script);
        totals.scripts++;
        totals.stored += run.stored;
        totals.refusals += run.refusals;
        totals.injectedFailures += run.injectedFailures;
      }),
      {
        property: "chunk receiver: scripts",
        corpus: "packages/protocol/src/chunk/chunk-receiver-fuzz-regressions.json",
        pin: (script) => ({ name: "found by the fuzz: say what it shows", script }),
      },
    );
    console.log(`[fuzz] chunk receiver: ${JSON.stringify(totals)}`);
    // The generators reach what they are meant to: stores, refusals and failing stores.
    expect(Math.min(totals.stored, totals.refusals, totals.injectedFailures)).toBeGreaterThan(0);
  }, 600_000);
});
