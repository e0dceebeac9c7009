/**
 * Replays the pinned frames WebSocket fuzz sessions (frames-fuzz-regressions.json) on every run,
 * against a loopback gateway, with every property of the slow fuzz checked. An entry marked
 * `open` is a known bug and must still fail. docs/testing.md, "Fuzzing".
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type PinnedGatewaySession, runGatewaySession, startFuzzGateway } from "../../test-support/frames-fuzz.js";
import type { RunningGateway } from "../../test-support/gateway-harness.js";
import corpus from "./frames-fuzz-regressions.json";

let gw: RunningGateway;
beforeAll(async () => {
  gw = await startFuzzGateway();
});
afterAll(async () => {
  await gw.stop();
});

const entries = corpus.sessions as (PinnedGatewaySession & { open?: string })[];

describe("pinned frames WebSocket fuzz sessions", () => {
  for (const [k, entry] of entries.entries()) {
    const replay = async () => {
      const run = await runGatewaySession(gw, gw.clients(gw.adminToken), entry.session, `pinned-${k}`);
      expect(run.messages).toBe(entry.session.actions.length);
    };
    if (entry.open === undefined) it(entry.name, replay);
    else it.fails(`${entry.name} (still open: ${entry.open})`, replay);
  }
});
