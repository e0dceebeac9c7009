/**
 * Where a Node process's main thread spent its time, from a V8 `.cpuprofile` (`node --cpu-prof`),
 * restricted to chosen stretches of time: self time per category (SHA-256, CRC-32, the
 * WebSocket receiver, PGlite, …) and the functions with the most self time.
 *
 * Timestamps: a profile's `startTime` and sample times are V8 TimeTicks in µs, which on Linux is
 * CLOCK_MONOTONIC, the clock of `process.hrtime.bigint()` in any Node process on the machine; so
 * windows measured by the driver select the samples of the uploads.
 */
import { readFile } from "node:fs/promises";

interface ProfileNode {
  readonly id: number;
  readonly children?: readonly number[];
  readonly callFrame: {
    readonly functionName: string;
    readonly url: string;
    readonly lineNumber: number;
  };
}

interface CpuProfile {
  readonly nodes: readonly ProfileNode[];
  readonly startTime: number;
  readonly endTime: number;
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

/** A window of CLOCK_MONOTONIC time, µs. */
export interface TimeWindow {
  readonly fromUs: number;
  readonly toUs: number;
}

export interface CpuProfileSummary {
  /** Sampled time inside the windows, ms. */
  readonly sampledMs: number;
  /** Main thread idle (waiting for I/O: the socket, fsync in the thread pool…), ms. */
  readonly idleMs: number;
  /** Self time per category, ms, largest first. */
  readonly categories: ReadonlyArray<{ readonly category: string; readonly ms: number; readonly share: number }>;
  /** Functions with the most self time, ms. */
  readonly top: ReadonlyArray<{ readonly fn: string; readonly where: string; readonly ms: number }>;
}

/** Categories that say little on their own: such frames are counted for their nearest telling caller. */
const GENERIC = new Set([
  "native/builtin",
  "Node internals",
  "file system calls",
  "Buffer (copies, concat)",
  "other JavaScript",
]);

/** What a frame of the profile is part of, judged by its script URL and name. */
export function categoryOf(functionName: string, url: string): string {
  if (functionName === "(idle)") return "idle";
  if (functionName === "(garbage collector)") return "garbage collector";
  if (functionName === "(program)") return "native, unattributed";
  if (url.includes("@electric-sql/pglite")) return "metadata store (PGlite)";
  if (url.includes("node:internal/crypto") || url === "node:crypto") return "SHA-256 (node:crypto)";
  if (url === "node:zlib" || url.includes("node:internal/zlib")) return "CRC-32 (zlib)";
  if (url.includes("/node_modules/ws/") || url.includes("bufferutil")) return "WebSocket receive (ws)";
  if (url.includes("node:internal/fs") || url === "node:fs" || url === "node:fs/promises") return "file system calls";
  if (url.includes("packages/protocol/src/gen") || url.includes("@bufbuild")) return "protobuf";
  if (url.includes("packages/protocol/")) return "protocol (frame decode, receiver)";
  if (url.includes("apps/gateway/src/store")) return "gateway store code";
  if (url.includes("apps/gateway/")) return "gateway code";
  if (url.includes("fastify") || url.includes("@connectrpc") || url.includes("find-my-way"))
    return "HTTP/RPC framework";
  if (url.includes("node:internal/buffer") || url === "node:buffer") return "Buffer (copies, concat)";
  if (url.startsWith("node:")) return "Node internals";
  if (url === "") return "native/builtin";
  return "other JavaScript";
}

/**
 * Summarises `path` over `windows` (all of the profile when empty).
 *
 * @throws Error when the file is not a V8 CPU profile.
 */
export async function summariseCpuProfile(
  path: string,
  windows: readonly TimeWindow[],
  topN = 15,
): Promise<CpuProfileSummary> {
  const profile = JSON.parse(await readFile(path, "utf8")) as CpuProfile;
  if (!Array.isArray(profile.samples) || !Array.isArray(profile.nodes)) throw new Error(`${path} is not a CPU profile`);
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const inWindow = (t: number) => windows.length === 0 || windows.some((w) => t >= w.fromUs && t < w.toUs);
  const selfUs = new Map<number, number>();
  let t = profile.startTime;
  let sampled = 0;
  for (let i = 0; i < profile.samples.length; i++) {
    const delta = profile.timeDeltas[i] ?? 0;
    t += delta;
    // A sample stands for the time until the next one.
    const span = profile.timeDeltas[i + 1] ?? 0;
    if (!inWindow(t) || span <= 0) continue;
    const id = profile.samples[i]!;
    selfUs.set(id, (selfUs.get(id) ?? 0) + span);
    sampled += span;
  }
  const parentOf = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parentOf.set(c, n.id);
  // A native or Node-internal frame counts for the nearest caller that says what it is part of
  // (PGlite's file system calls are PGlite's, ws's Buffer.concat is the WebSocket receiver's).
  const categoryOfNode = (id: number): string => {
    const f = byId.get(id)!.callFrame;
    const own = categoryOf(f.functionName, f.url);
    if (!GENERIC.has(own)) return own;
    for (let up = parentOf.get(id); up !== undefined; up = parentOf.get(up)) {
      const a = byId.get(up)!.callFrame;
      const cat = categoryOf(a.functionName, a.url);
      if (!GENERIC.has(cat) && cat !== "idle") return cat;
    }
    return own;
  };
  const categories = new Map<string, number>();
  const fns = new Map<string, { fn: string; where: string; us: number }>();
  for (const [id, us] of selfUs) {
    const f = byId.get(id)?.callFrame;
    if (f === undefined) continue;
    const cat = categoryOfNode(id);
    categories.set(cat, (categories.get(cat) ?? 0) + us);
    const where = `${f.url.replace(/^.*\/node_modules\//, "").replace(/^file:\/\/.*\/(apps|packages)\//, "$1/")}:${f.lineNumber + 1}`;
    const key = `${f.functionName}@${where}`;
    const e = fns.get(key) ?? { fn: f.functionName || "(anonymous)", where, us: 0 };
    e.us += us;
    fns.set(key, e);
  }
  const ms = (us: number) => Math.round(us / 100) / 10;
  return {
    sampledMs: ms(sampled),
    idleMs: ms(categories.get("idle") ?? 0),
    categories: [...categories]
      .sort((a, b) => b[1] - a[1])
      .map(([category, us]) => ({
        category,
        ms: ms(us),
        share: Math.round((us / Math.max(1, sampled)) * 1000) / 1000,
      })),
    top: [...fns.values()]
      .filter((f) => f.fn !== "(idle)")
      .sort((a, b) => b.us - a.us)
      .slice(0, topN)
      .map((f) => ({ fn: f.fn, where: f.where, ms: ms(f.us) })),
  };
}
