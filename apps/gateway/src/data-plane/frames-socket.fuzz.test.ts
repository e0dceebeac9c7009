/**
 * The slow frames WebSocket fuzz (npm run test:fuzz; docs/testing.md, "Fuzzing"): generated
 * sessions of valid, damaged, random, fragmented, oversized and text messages over real
 * WebSockets to a loopback gateway, seeded. A failure prints the session to pin in
 * frames-fuzz-regressions.json, which the fast suite replays.
 */
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { assertFuzz, fuzzRuns } from "../../../../test-support/fuzz.js";
import { gatewaySessionArb, runGatewaySession, startFuzzGateway } from "../../test-support/frames-fuzz.js";
import type { RunningGateway } from "../../test-support/gateway-harness.js";

let gw: RunningGateway;
beforeAll(async () => {
  gw = await startFuzzGateway();
});
afterAll(async () => {
  await gw.stop();
});

describe("frames WebSocket, fuzzed", () => {
  it("the gateway stays up, answers only well-formed messages and documented closes, never acks a damaged frame OK, and stores only valid chunks", async () => {
    const messages = fuzzRuns("gateway: frames socket messages");
    const perSession = Math.min(100, messages);
    const admin = gw.clients(gw.adminToken);
    const totals = {
      sessions: 0,
      messages: 0,
      probes: 0,
      acks: 0,
      okAcks: 0,
      storedBeforeDrain: 0,
      drained: 0,
      serverCloses: 0,
    };
    let n = 0;
    await assertFuzz(
      fc.asyncProperty(gatewaySessionArb(perSession), async (session) => {
        const run = await runGatewaySession(gw, admin, session, `fuzz-${n++}`);
        totals.sessions++;
        for (const key of Object.keys(run) as (keyof typeof run)[]) totals[key] += run[key];
      }),
      {
        property: "gateway: frames socket messages",
        numRuns: Math.ceil(messages / perSession),
        corpus: "apps/gateway/src/data-plane/frames-fuzz-regressions.json",
        pin: (session) => ({ name: "found by the fuzz: say what it shows", session }),
      },
    );
    console.log(`[fuzz] frames WebSocket: ${JSON.stringify(totals)}`);
    // The generators reach what they are meant to: chunks stored from the script, OK acks, closes.
    expect(Math.min(totals.storedBeforeDrain, totals.okAcks, totals.serverCloses)).toBeGreaterThan(0);
  });
});
