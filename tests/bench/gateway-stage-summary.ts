/**
 * Sums what gateway-stage-clock.ts recorded in the gateway child over chosen windows of time (the
 * uploads of one kind): per kind of work, total and per-frame milliseconds, and how long frames
 * waited from arrival to their ack.
 */
import { readFile } from "node:fs/promises";
import type { TimeWindow } from "./cpu-profile-summary.js";

export interface GatewayStages {
  /** Frames that arrived and were acknowledged inside the windows. */
  readonly frames: number;
  /** The windows' total length, ms. */
  readonly elapsedMs: number;
  /** Gateway wall time per frame (elapsed / frames), ms: the inverse of its intake rate. */
  readonly msPerFrame: number;
  /** Per kind of work: total ms, calls, ms per frame; largest first. */
  readonly stages: ReadonlyArray<{
    readonly kind: string;
    readonly ms: number;
    readonly calls: number;
    readonly msPerFrame: number;
  }>;
  /** Frame arrival (whole message received) → its ack sent, ms. */
  readonly arrivalToAck: { readonly medianMs: number; readonly p90Ms: number };
  /** Event-loop delay over the 250 ms slices inside the windows: median of the slices' p50, and their largest p99, ms. */
  readonly eventLoopDelay: { readonly p50Ms: number; readonly maxP99Ms: number };
}

/** @throws Error when `path` was not written by the stage clock. */
export async function summariseGatewayStages(path: string, windows: readonly TimeWindow[]): Promise<GatewayStages> {
  const clock = JSON.parse(await readFile(path, "utf8")) as {
    events: Array<[string, number, number]>;
    frames: Array<[number, number]>;
    loopDelay?: Array<[number, number, number]>;
  };
  if (!Array.isArray(clock.events) || !Array.isArray(clock.frames)) throw new Error(`${path} is not a stage clock`);
  const inside = (t: number) => windows.some((w) => t >= w.fromUs && t < w.toUs);
  const frames = clock.frames.filter(([a, b]) => inside(a) && inside(b));
  const elapsedUs = windows.reduce((s, w) => s + (w.toUs - w.fromUs), 0);
  const byKind = new Map<string, { us: number; calls: number }>();
  for (const [kind, start, us] of clock.events) {
    if (!inside(start)) continue;
    const e = byKind.get(kind) ?? { us: 0, calls: 0 };
    e.us += us;
    e.calls++;
    byKind.set(kind, e);
  }
  const slices = (clock.loopDelay ?? []).filter(([t]) => inside(t));
  const n = Math.max(1, frames.length);
  const r = (x: number) => Math.round(x * 100) / 100;
  const latencies = frames.map(([a, b]) => (b - a) / 1000).sort((x, y) => x - y);
  const pick = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? 0;
  return {
    frames: frames.length,
    elapsedMs: r(elapsedUs / 1000),
    msPerFrame: r(elapsedUs / 1000 / n),
    stages: [...byKind]
      .sort((a, b) => b[1].us - a[1].us)
      .map(([kind, e]) => ({ kind, ms: r(e.us / 1000), calls: e.calls, msPerFrame: r(e.us / 1000 / n) })),
    arrivalToAck: { medianMs: r(pick(0.5)), p90Ms: r(pick(0.9)) },
    eventLoopDelay: {
      p50Ms: r((slices.map((d) => d[1]).sort((x, y) => x - y)[Math.floor(slices.length / 2)] ?? 0) / 1000),
      maxP99Ms: r(Math.max(0, ...slices.map((d) => d[2])) / 1000),
    },
  };
}
