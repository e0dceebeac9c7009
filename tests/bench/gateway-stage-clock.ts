/**
 * Loaded into the benchmark's gateway child with `--import` before the gateway itself: times
 * what the gateway does per chunk, without changing its code, by wrapping the library functions
 * it calls (shared prototypes and Node's built-in module exports, re-synced into ESM bindings with
 * `syncBuiltinESMExports`):
 *
 * - SHA-256 (`Hash#update` over ≥ 1 MiB) and CRC-32 (`zlib.crc32` over ≥ 1 MiB);
 * - the blob store's file work: `FileHandle#writeFile`, `FileHandle#sync` (of a file, or of a
 *   directory opened read-only), `rename`, `stat`, `open`;
 * - PGlite: `transaction`, `query`, `exec`, and any `fsyncSync` its file system makes;
 * - the frames socket: when a frame (a binary message ≥ 1 MiB) arrives and when the next ack
 *   leaves the same socket;
 * - garbage collection pauses (PerformanceObserver "gc"), by kind;
 * - event-loop delay (p50, p99 per 250 ms), how long a finished callback waits for the main thread.
 *
 * Every event is kept as [kind, start µs, duration µs] on CLOCK_MONOTONIC (the clock of
 * `process.hrtime` in every process here, so the driver selects its upload windows) and written
 * as JSON to $CYXWIZ_BENCH_GATEWAY_CLOCK when the process exits.
 */
import crypto, { createHash } from "node:crypto";
import fs, { writeFileSync } from "node:fs";
import fsp from "node:fs/promises";
import { syncBuiltinESMExports } from "node:module";
import { monitorEventLoopDelay, PerformanceObserver } from "node:perf_hooks";
import zlib from "node:zlib";
import { PGlite } from "@electric-sql/pglite";
import WebSocket from "ws";

const out = process.env.CYXWIZ_BENCH_GATEWAY_CLOCK;
const BIG = 1024 * 1024;
const nowUs = () => Number(process.hrtime.bigint() / 1000n);

/** [kind, start µs, duration µs] */
const events: Array<[string, number, number]> = [];
/** [arrived µs, acked µs] per frame */
const frames: Array<[number, number]> = [];
/** [end of a 250 ms slice µs, event-loop delay p50 µs, p99 µs] */
const loopDelay: Array<[number, number, number]> = [];
const record = (kind: string, start: number) => events.push([kind, start, nowUs() - start]);

function timeAsync<A extends unknown[], R>(
  kind: (self: unknown, args: A) => string | undefined,
  f: (...args: A) => Promise<R>,
): (...args: A) => Promise<R> {
  return async function (this: unknown, ...args: A): Promise<R> {
    const k = kind(this, args);
    if (k === undefined) return f.apply(this, args);
    const t = nowUs();
    try {
      return await f.apply(this, args);
    } finally {
      record(k, t);
    }
  };
}

if (out !== undefined) {
  // ---- SHA-256 and CRC-32
  // Hash's prototype, whatever `createHash` returns now (a module loaded before may wrap it).
  const hashProto = ((crypto as unknown as { Hash?: { prototype: unknown } }).Hash?.prototype ??
    Object.getPrototypeOf(createHash("sha256"))) as { update: (...a: unknown[]) => unknown };
  const update = hashProto.update;
  hashProto.update = function (this: unknown, ...args: unknown[]) {
    const data = args[0] as { length?: number };
    if ((data?.length ?? 0) < BIG) return update.apply(this, args);
    const t = nowUs();
    const r = update.apply(this, args);
    record("sha256", t);
    return r;
  };
  const z = zlib as unknown as { crc32: (...a: unknown[]) => number };
  const crc32 = z.crc32;
  z.crc32 = (...args: unknown[]) => {
    const data = args[0] as { length?: number };
    if ((data?.length ?? 0) < BIG) return crc32(...args);
    const t = nowUs();
    const r = crc32(...args);
    record("crc32", t);
    return r;
  };

  // ---- files: handles opened read-only are directories the blob store fsyncs after a rename
  const readOnly = new WeakSet<object>();
  const p = fsp as unknown as Record<string, (...a: unknown[]) => Promise<unknown>>;
  const open = p.open!;
  p.open = async (...args: unknown[]) => {
    const t = nowUs();
    const h = (await open(...args)) as object;
    record("open", t);
    if (args[1] === "r") readOnly.add(h);
    return h;
  };
  for (const name of ["rename", "stat"] as const) {
    const f = p[name]!;
    p[name] = timeAsync(() => name, f);
  }
  const probe = await open(new URL(import.meta.url).pathname, "r");
  const handleProto = Object.getPrototypeOf(probe) as Record<string, (...a: unknown[]) => Promise<unknown>>;
  await (probe as { close(): Promise<void> }).close();
  handleProto.writeFile = timeAsync((_, args: unknown[]) => {
    const data = args[0] as { length?: number };
    return (data?.length ?? 0) >= BIG ? "writeFile" : "writeFile small";
  }, handleProto.writeFile!);
  handleProto.sync = timeAsync(
    (self) => (readOnly.has(self as object) ? "fsync directory" : "fsync file"),
    handleProto.sync!,
  );
  const syncFs = fs as unknown as Record<string, (...a: unknown[]) => unknown>;
  for (const name of ["fsyncSync", "fdatasyncSync"] as const) {
    const f = syncFs[name]!;
    syncFs[name] = (...args: unknown[]) => {
      const t = nowUs();
      try {
        return f(...args);
      } finally {
        record(`pglite ${name}`, t);
      }
    };
  }
  syncBuiltinESMExports();

  // ---- PGlite
  const pg = PGlite.prototype as unknown as Record<string, (...a: unknown[]) => Promise<unknown>>;
  for (const name of ["transaction", "query", "exec"] as const) {
    const f = pg[name]!;
    pg[name] = timeAsync(() => `pglite ${name}`, f);
  }

  // ---- the frames socket: a frame arrives (emit "message"), its ack leaves (send)
  const arrivals = new WeakMap<object, number[]>();
  const wsProto = WebSocket.prototype as unknown as {
    emit: (...a: unknown[]) => boolean;
    send: (...a: unknown[]) => void;
  };
  const emit = wsProto.emit;
  wsProto.emit = function (this: object, ...args: unknown[]) {
    if (args[0] === "message" && ((args[1] as { length?: number })?.length ?? 0) >= BIG) {
      let q = arrivals.get(this);
      if (q === undefined) {
        q = [];
        arrivals.set(this, q);
      }
      q.push(nowUs());
    }
    return emit.apply(this, args);
  };
  const send = wsProto.send;
  wsProto.send = function (this: object, ...args: unknown[]) {
    const arrived = arrivals.get(this)?.shift();
    if (arrived !== undefined) frames.push([arrived, nowUs()]);
    return send.apply(this, args);
  };

  // ---- garbage collection
  const kinds: Record<number, string> = { 1: "gc minor", 2: "gc major", 4: "gc incremental", 8: "gc weak callbacks" };
  new PerformanceObserver((list) => {
    const offsetUs = nowUs() - performance.now() * 1000;
    for (const e of list.getEntries()) {
      const kind = kinds[(e as unknown as { detail?: { kind?: number } }).detail?.kind ?? 0] ?? "gc other";
      events.push([kind, Math.round(offsetUs + e.startTime * 1000), Math.round(e.duration * 1000)]);
    }
  }).observe({ entryTypes: ["gc"] });

  // How long a ready callback (a finished write, an arrived frame) waits for the main thread.
  const delay = monitorEventLoopDelay({ resolution: 1 });
  delay.enable();
  setInterval(() => {
    loopDelay.push([nowUs(), Math.round(delay.percentile(50) / 1000), Math.round(delay.percentile(99) / 1000)]);
    delay.reset();
  }, 250).unref();

  process.on("exit", () => {
    writeFileSync(out, JSON.stringify({ events, frames, loopDelay }));
  });
}
