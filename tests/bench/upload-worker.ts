/**
 * The browser side of the upload benchmark, in a dedicated module Worker (where the dashboard
 * runs its uploads). Answers one command at a time from the page (upload-page.ts):
 *
 * - `prepare`: random bytes into an Origin Private File System file, so every upload reads a
 *   disk-backed File, as a user's would (an in-memory Blob over ~384 MiB fails to read in headless
 *   Chromium, MACHINE-NOTES);
 * - `cyxwiz`: `@cyxwiz/client`'s `createUploadSession` to the gateway, encrypted, with
 *   performance.now() around every stage of every chunk (the primitives, the source and the
 *   WebSocket are wrapped; the engine itself is the published one, unchanged);
 * - `tus` (tus-js-client) and `put` (one fetch PUT of the File): the baselines;
 * - `pack`: the client pipeline alone, nothing sent.
 */
import { fromBinary } from "@bufbuild/protobuf";
import { connectGateway, createUploadSession } from "@cyxwiz/client";
import { type ByteSource, blobByteSource, chunkToFrame, createChunkPacker } from "@cyxwiz/protocol/chunk";
import { createChunkCipher, generateDatasetKey } from "@cyxwiz/protocol/crypto";
import { FrameFlag } from "@cyxwiz/protocol/frame";
import { DataClassification, FrameStreamMessageSchema } from "@cyxwiz/protocol/gen";
import { createWebSealingPool, loadPrimitives, type Primitives } from "@cyxwiz/protocol/primitives";
import { Upload } from "tus-js-client";
import type {
  BenchReply,
  CyxwizCommand,
  NumberedCommand,
  PackCommand,
  PrepareRun,
  PutCommand,
  ReadCommand,
  StageTimes,
  TusCommand,
  UploadBreakdown,
  UploadRun,
} from "./upload-messages.js";

const now = () => performance.now();
const MB = 1e6;

/** Per-chunk timestamps (performance.now(), ms) of one upload. */
interface ChunkTimes {
  readStart?: number;
  readEnd?: number;
  encryptStart?: number;
  encryptEnd?: number;
  shaStart?: number;
  shaEnd?: number;
  crcStart?: number;
  crcEnd?: number;
  sendStart?: number;
  sendEnd?: number;
  ack?: number;
}

/**
 * Records which chunk each buffer belongs to (the source's read, the cipher's output) and when
 * each stage of each chunk started and ended. Buffers are recognised by identity, so nothing is
 * copied or parsed on the hot path except the 8-byte sequence of a sent frame.
 */
class ChunkClock {
  readonly chunks = new Map<number, ChunkTimes>();
  private readonly owner = new WeakMap<ArrayBufferLike, number>();
  maxBuffered = 0;

  at(index: number): ChunkTimes {
    let c = this.chunks.get(index);
    if (c === undefined) {
      c = {};
      this.chunks.set(index, c);
    }
    return c;
  }
  own(bytes: Uint8Array, index: number): void {
    this.owner.set(bytes.buffer, index);
  }
  indexOf(bytes: Uint8Array | undefined): number | undefined {
    return bytes === undefined ? undefined : this.owner.get(bytes.buffer);
  }

  private async timedRead(offset: number, chunkSize: number, read: () => Promise<Uint8Array>): Promise<Uint8Array> {
    const index = Math.floor(offset / chunkSize);
    const t = now();
    const bytes = await read();
    const c = this.at(index);
    c.readStart = t;
    c.readEnd = now();
    this.own(bytes, index);
    return bytes;
  }

  /** The source, reads timed; each read's buffer remembered as its chunk's. */
  source(inner: ByteSource, chunkSize: number): ByteSource {
    return {
      size: inner.size,
      ...(inner.freshReads === undefined ? {} : { freshReads: inner.freshReads }),
      read: async (offset, length) => this.timedRead(offset, chunkSize, () => inner.read(offset, length)),
      ...(inner.readInto === undefined
        ? {}
        : {
            readInto: async (offset: number, length: number, into: Uint8Array) =>
              this.timedRead(offset, chunkSize, () => inner.readInto!(offset, length, into)),
          }),
    };
  }

  /** The primitives, with AES-GCM encrypt, SHA-256 and CRC-32 timed per chunk. */
  primitives(inner: Primitives): Primitives {
    return {
      ...inner,
      sha256: async (data) => {
        const t = now();
        const digest = await inner.sha256(data);
        const i = this.indexOf(data);
        if (i !== undefined) {
          const c = this.at(i);
          c.shaStart = t;
          c.shaEnd = now();
        }
        return digest;
      },
      crc32: (...parts) => {
        const t = now();
        const crc = inner.crc32(...parts);
        const i = this.indexOf(parts[1]); // chunkToFrame: crc32(header, payload)
        if (i !== undefined) {
          const c = this.at(i);
          c.crcStart = t;
          c.crcEnd = now();
        }
        return crc;
      },
      importAesGcmKey: async (key) => {
        const k = await inner.importAesGcmKey(key);
        return {
          encrypt: async (nonce, plaintext, aad) => {
            const t = now();
            const sealed = await k.encrypt(nonce, plaintext, aad);
            const i = this.indexOf(plaintext);
            if (i !== undefined) {
              const c = this.at(i);
              c.encryptStart = t;
              c.encryptEnd = now();
              this.own(sealed, i);
            }
            return sealed;
          },
          decrypt: (nonce, sealed, aad) => k.decrypt(nonce, sealed, aad),
          // A sealing pool's seal (encrypt + SHA-256 on a worker): timed as "encrypt", wall time.
          ...(k.sealAndHash === undefined
            ? {}
            : {
                sealAndHash: async (nonce: Uint8Array, plaintext: Uint8Array, options?: { consume?: boolean }) => {
                  const i = this.indexOf(plaintext); // before the call: consuming it detaches it
                  const t = now();
                  const r = await k.sealAndHash!(nonce, plaintext, options);
                  if (i !== undefined) {
                    const c = this.at(i);
                    c.encryptStart = t;
                    c.encryptEnd = now();
                    if (r.sealed[0] !== undefined) this.own(r.sealed[0], i);
                  }
                  return r;
                },
              }),
        };
      },
    };
  }

  /** A frame leaves: `send` timed, its chunk read from the frame header's sequence (bytes 8-15). */
  sent(frame: Uint8Array, start: number, end: number, buffered: number): void {
    const seq = Number(new DataView(frame.buffer, frame.byteOffset, frame.byteLength).getBigUint64(8));
    const c = this.at(seq);
    c.sendStart ??= start; // a resend keeps the first send's times
    c.sendEnd ??= end;
    if (buffered > this.maxBuffered) this.maxBuffered = buffered;
  }
}

function stageTimes(values: readonly number[]): StageTimes {
  const sorted = values.filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
  const pick = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
  const round = (x: number) => Math.round(x * 1000) / 1000;
  return {
    count: sorted.length,
    totalMs: round(sorted.reduce((s, v) => s + v, 0)),
    medianMs: round(pick(0.5)),
    p90Ms: round(pick(0.9)),
  };
}

function breakdown(clock: ChunkClock, runStart: number, runEnd: number): UploadBreakdown {
  const all = [...clock.chunks.values()];
  const span = (f: (c: ChunkTimes) => [number | undefined, number | undefined]) =>
    stageTimes(
      all.flatMap((c) => {
        const [a, b] = f(c);
        return a === undefined || b === undefined ? [] : [b - a];
      }),
    );
  const sent = all.filter((c) => c.sendStart !== undefined).sort((a, b) => a.sendStart! - b.sendStart!);
  const sends = sent.map((c) => c.sendStart!);
  const acks = all
    .filter((c) => c.ack !== undefined)
    .map((c) => c.ack!)
    .sort((a, b) => a - b);
  // The window as the client used it: the most frames ever unacknowledged at a send.
  let window = 0;
  for (const s of sends) {
    const sentBefore = sends.filter((x) => x <= s).length;
    const ackedBefore = acks.filter((x) => x < s).length;
    window = Math.max(window, sentBefore - ackedBefore);
  }
  const slot: number[] = [];
  let gatedByAck = 0;
  for (let k = window; k < sends.length; k++) {
    const freedBy = acks[k - window];
    if (freedBy === undefined || freedBy > sends[k]!) continue;
    slot.push(sends[k]! - freedBy);
    // Packed (read, sealed, hashed) before its slot freed: the sender was waiting on the gateway.
    if ((sent[k]!.shaEnd ?? Number.POSITIVE_INFINITY) <= freedBy) gatedByAck++;
  }
  const firstSend = sends[0] ?? runStart;
  const lastAck = acks[acks.length - 1] ?? runEnd;
  const r = (x: number) => Math.round(x * 10) / 10;
  return {
    stages: {
      read: span((c) => [c.readStart, c.readEnd]),
      encrypt: span((c) => [c.encryptStart, c.encryptEnd]),
      sha256: span((c) => [c.shaStart, c.shaEnd]),
      crc32: span((c) => [c.crcStart, c.crcEnd]),
      frameCopy: span((c) => [c.crcEnd, c.sendStart]),
      send: span((c) => [c.sendStart, c.sendEnd]),
    },
    packToSend: span((c) => [c.readStart, c.sendStart]),
    sendToAck: span((c) => [c.sendEnd, c.ack]),
    slotToSend: stageTimes(slot),
    sendsGatedByAck: gatedByAck,
    sendsAfterWindowFull: slot.length,
    setupMs: r(firstSend - runStart),
    streamMs: r(lastAck - firstSend),
    commitMs: r(runEnd - lastAck),
    maxBufferedBytes: clock.maxBuffered,
    window,
  };
}

async function opfsBlob(file: string, bytes: number): Promise<Blob> {
  const dir = await navigator.storage.getDirectory();
  const f = await (await dir.getFileHandle(file)).getFile();
  if (f.size < bytes) throw new RangeError(`OPFS file ${file} has ${f.size} bytes, fewer than the ${bytes} asked`);
  return bytes === f.size ? f : f.slice(0, bytes);
}

const result = (
  op: UploadRun["op"],
  bytes: number,
  chunkSize: number,
  ms: number,
  detail: Record<string, unknown>,
  b?: UploadBreakdown,
): UploadRun => ({
  op,
  bytes,
  chunkSize,
  ms: Math.round(ms * 10) / 10,
  mbPerSecond: Math.round((bytes / MB / (ms / 1000)) * 10) / 10,
  detail,
  ...(b === undefined ? {} : { breakdown: b }),
});

async function prepare(file: string, bytes: number): Promise<PrepareRun> {
  const t0 = now();
  const dir = await navigator.storage.getDirectory();
  const handle = await dir.getFileHandle(file, { create: true });
  const writable = await handle.createWritable();
  const piece = 4 * 1024 * 1024;
  for (let written = 0; written < bytes; ) {
    const n = Math.min(piece, bytes - written);
    const buf = new Uint8Array(n);
    for (let o = 0; o < n; o += 65_536) crypto.getRandomValues(buf.subarray(o, Math.min(n, o + 65_536)));
    await writable.write(buf);
    written += n;
  }
  await writable.close();
  const size = (await handle.getFile()).size;
  if (size !== bytes) throw new Error(`OPFS file ${file} has ${size} bytes after writing ${bytes}`);
  return { op: "prepare", bytes, ms: Math.round(now() - t0) };
}

async function cyxwiz(cmd: CyxwizCommand): Promise<UploadRun> {
  const blob = await opfsBlob(cmd.file, cmd.bytes);
  const clock = new ChunkClock();
  // As the dashboard's upload worker does: chunks sealed by a pool of Web Workers.
  const pool = createWebSealingPool();
  const primitives = clock.primitives(pool.wrap(await loadPrimitives()));
  const clients = connectGateway({ baseUrl: self.location.origin, token: cmd.token });
  const session = createUploadSession({
    clients,
    primitives,
    source: clock.source(blobByteSource(blob), cmd.chunkSize),
    name: cmd.name,
    classification: DataClassification.PUBLIC,
    chunkSize: cmd.chunkSize,
    compression: "none",
    encrypt: true,
    // RPCs reach the gateway through the page's origin; the frames socket goes to it directly.
    createWebSocket: (url, protocols) => {
      const u = new URL(url);
      const ws = new WebSocket(`${cmd.framesOrigin}${u.pathname}${u.search}`, protocols);
      ws.addEventListener("message", (event) => {
        if (!(event.data instanceof ArrayBuffer)) return;
        const m = fromBinary(FrameStreamMessageSchema, new Uint8Array(event.data));
        if (m.kind.case === "ack") clock.at(m.kind.value.chunkIndex).ack ??= now();
      });
      const send = ws.send.bind(ws);
      ws.send = (data: Uint8Array) => {
        const t = now();
        send(data);
        clock.sent(data, t, now(), ws.bufferedAmount);
      };
      return ws;
    },
  });
  const t0 = now();
  const done = await session.run().finally(() => pool.close());
  const t1 = now();
  return result(
    "cyxwiz",
    cmd.bytes,
    cmd.chunkSize,
    t1 - t0,
    {
      ref: done.version.ref,
      transferId: done.transferId,
      framesSent: done.framesSent,
      storedBytes: done.manifest.storedSizes.reduce((s, n) => s + n, 0),
      primitives: primitives.name,
    },
    breakdown(clock, t0, t1),
  );
}

async function tus(cmd: TusCommand): Promise<UploadRun> {
  const blob = await opfsBlob(cmd.file, cmd.bytes);
  let patches = 0;
  const t0 = now();
  const url = await new Promise<string>((resolve, reject) => {
    const upload: Upload = new Upload(blob, {
      endpoint: cmd.endpoint,
      chunkSize: cmd.chunkSize,
      retryDelays: [],
      storeFingerprintForResuming: false,
      metadata: { filename: cmd.file },
      onBeforeRequest: (req) => {
        if (req.getMethod() === "PATCH") patches++;
      },
      onSuccess: () => resolve(upload.url ?? ""),
      onError: reject,
    });
    upload.start();
  });
  return result("tus", cmd.bytes, cmd.chunkSize, now() - t0, { url, patches });
}

async function put(cmd: PutCommand): Promise<UploadRun> {
  const blob = await opfsBlob(cmd.file, cmd.bytes);
  const t0 = now();
  const response = await fetch(cmd.url, { method: "PUT", body: blob });
  const answer = (await response.json()) as { bytes: number };
  const ms = now() - t0;
  if (!response.ok || answer.bytes !== cmd.bytes)
    throw new Error(`PUT sink answered ${response.status} after ${answer.bytes} of ${cmd.bytes} bytes`);
  return result("put", cmd.bytes, cmd.chunkSize, ms, { sinkBytes: answer.bytes });
}

async function pack(cmd: PackCommand): Promise<UploadRun> {
  const blob = await opfsBlob(cmd.file, cmd.bytes);
  const clock = new ChunkClock();
  const primitives = clock.primitives(await loadPrimitives());
  const made = await createChunkCipher(primitives, generateDatasetKey());
  if (!made.ok) throw new Error(made.error.message);
  const packer = createChunkPacker(primitives, clock.source(blobByteSource(blob), cmd.chunkSize), {
    chunkSize: cmd.chunkSize,
    cipher: made.value,
  });
  let frameBytes = 0;
  const t0 = now();
  // As the upload session's pump does with ahead = 1: once chunk i is packed, chunk i+1 is packed
  // while i is framed and sent. More ahead lets one chunk's read overlap another's encryption.
  const packing: Array<ReturnType<typeof packer.pack>> = [packer.pack(0)];
  let next = 1;
  for (let i = 0; i < packer.numChunks; i++) {
    const chunk = await packing.shift()!;
    while (next < packer.numChunks && packing.length < cmd.ahead) packing.push(packer.pack(next++));
    const frame = await chunkToFrame(primitives, chunk, FrameFlag.REQUIRES_ACK);
    const t = now();
    clock.sent(frame, t, t, 0); // marks when the frame would be handed to the socket
    frameBytes += frame.length;
  }
  const t1 = now();
  return result(
    "pack",
    cmd.bytes,
    cmd.chunkSize,
    t1 - t0,
    { frameBytes, ahead: cmd.ahead, primitives: primitives.name },
    breakdown(clock, t0, t1),
  );
}

async function read(cmd: ReadCommand): Promise<UploadRun> {
  const blob = await opfsBlob(cmd.file, cmd.bytes);
  const source = blobByteSource(blob);
  let offset = 0;
  let total = 0;
  const t0 = now();
  await Promise.all(
    Array.from({ length: cmd.concurrency }, async () => {
      while (offset < cmd.bytes) {
        const at = offset;
        offset += cmd.chunkSize;
        const n = (await source.read(at, Math.min(cmd.chunkSize, cmd.bytes - at))).length;
        total += n;
      }
    }),
  );
  const ms = now() - t0;
  if (total !== cmd.bytes) throw new Error(`read ${total} of ${cmd.bytes} bytes`);
  return result("read", cmd.bytes, cmd.chunkSize, ms, { concurrency: cmd.concurrency });
}

async function handle(cmd: NumberedCommand): Promise<BenchReply> {
  try {
    switch (cmd.op) {
      case "prepare":
        return { id: cmd.id, ok: true, value: await prepare(cmd.file, cmd.bytes) };
      case "remove":
        await (await navigator.storage.getDirectory()).removeEntry(cmd.file).catch(() => undefined);
        return { id: cmd.id, ok: true, value: { op: "remove" } };
      case "cyxwiz":
        return { id: cmd.id, ok: true, value: await cyxwiz(cmd) };
      case "tus":
        return { id: cmd.id, ok: true, value: await tus(cmd) };
      case "put":
        return { id: cmd.id, ok: true, value: await put(cmd) };
      case "pack":
        return { id: cmd.id, ok: true, value: await pack(cmd) };
      case "read":
        return { id: cmd.id, ok: true, value: await read(cmd) };
      default: {
        const never: never = cmd;
        throw new TypeError(`unknown command ${JSON.stringify(never)}`);
      }
    }
  } catch (e) {
    const err = e as Error & { code?: string };
    return { id: cmd.id, ok: false, error: `${err.code ?? err.name}: ${err.message ?? String(e)}` };
  }
}

self.onmessage = (event: MessageEvent<NumberedCommand>) => {
  void handle(event.data).then((reply) => self.postMessage(reply));
};
