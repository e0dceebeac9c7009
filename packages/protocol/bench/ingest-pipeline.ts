/**
 * The ingest and verify pipelines as the benchmark runs them, shared by the Node and Chromium
 * runs so both measure exactly the same code: chunk → (compress) → encrypt → hash → frame, and
 * decode (FCS + SHA-256) → decrypt. Runtime-neutral: no node:* imports.
 */
import {
  type ByteSource,
  bytesByteSource,
  chunkToFrame,
  chunkToFrameParts,
  createChunker,
} from "../src/chunk/index.js";
import { createChunkCipher } from "../src/crypto/index.js";
import { decodeFrame, type FrameParts, joinPieces } from "../src/frame/index.js";
import type { Primitives } from "../src/primitives/primitives.js";

export interface PipelineRun {
  readonly seconds: number;
  readonly bytes: number;
  readonly mbPerSecond: number;
}

const run = (bytes: number, seconds: number): PipelineRun => ({ seconds, bytes, mbPerSecond: bytes / 1e6 / seconds });

/**
 * Ingest: every chunk sealed, hashed and framed. `framing` is how the runtime's writer takes a
 * frame: "parts" (header, payload pieces, trailer: Node's file and socket writes are vectored, as
 * `cyxwiz pack` does) or "contiguous" (one buffer, as a browser's WebSocket.send needs).
 * `readAhead` chunks are sealed ahead of the one being framed (a sealing pool's size + 1 keeps
 * every worker busy). `source` replaces the in-memory view of `data` (same bytes, e.g. a Blob). Frames are dropped once made, as a writer would, unless `keep` (for a
 * verify run; holding hundreds of MiB changes what the garbage collector does, so timed runs
 * don't).
 */
export async function ingest(
  p: Primitives,
  data: Uint8Array,
  chunkSize: number,
  key: Uint8Array,
  {
    framing = "contiguous",
    readAhead = 1,
    keep = false,
    source = bytesByteSource(data),
  }: { framing?: "parts" | "contiguous"; readAhead?: number; keep?: boolean; source?: ByteSource } = {},
) {
  const made = await createChunkCipher(p, key);
  if (!made.ok) throw new Error(made.error.message);
  const chunker = createChunker(p, source, {
    chunkSize,
    cipher: made.value,
    readAhead,
    metadata: { name: "bench" },
  });
  const frames: Uint8Array[] = [];
  const parts: FrameParts[] = [];
  const t0 = performance.now();
  if (framing === "parts") {
    for await (const chunk of chunker.chunks()) {
      const f = await chunkToFrameParts(p, chunk);
      if (keep) parts.push(f);
    }
  } else {
    for await (const chunk of chunker.chunks()) {
      const f = await chunkToFrame(p, chunk);
      if (keep) frames.push(f);
    }
  }
  const seconds = (performance.now() - t0) / 1000;
  for (const f of parts) frames.push(joinParts(f)); // outside the timed loop: only the verify run needs whole frames
  return { result: run(data.length, seconds), frames, manifest: chunker.manifest(), cipher: made.value };
}

/** Verify: decode (FCS + SHA-256) and decrypt every frame. */
export async function verify(
  p: Primitives,
  frames: Uint8Array[],
  cipher: Awaited<ReturnType<typeof ingest>>["cipher"],
) {
  let bytes = 0;
  const t0 = performance.now();
  for (let i = 0; i < frames.length; i++) {
    const f = await decodeFrame(p, frames[i]!);
    if (!f.ok) throw new Error(f.error.message);
    const opened = await cipher.open(i, i === frames.length - 1, f.value.payload);
    if (!opened.ok) throw new Error(opened.error.message);
    bytes += opened.value.length;
  }
  return run(bytes, (performance.now() - t0) / 1000);
}

/**
 * The ceiling: the runtime's native AES-256-GCM + SHA-256 over the same chunks and nothing else
 * (`sealAndHash` is raw node:crypto in Node, raw crypto.subtle in Chromium).
 */
export async function ceiling(
  data: Uint8Array,
  chunkSize: number,
  sealAndHash: (chunk: Uint8Array, index: number) => Promise<unknown>,
) {
  const t0 = performance.now();
  for (let off = 0, i = 0; off < data.length; off += chunkSize, i++)
    await sealAndHash(data.subarray(off, off + chunkSize), i);
  return run(data.length, (performance.now() - t0) / 1000);
}

/** Best of `repeats` runs (the machine is shared; the best run is the least disturbed). */
export async function best<T extends { result?: PipelineRun } | PipelineRun>(
  repeats: number,
  f: () => Promise<T>,
): Promise<T> {
  let bestRun: T | undefined;
  const rate = (t: T) => ("result" in t && t.result !== undefined ? t.result : (t as PipelineRun)).mbPerSecond;
  for (let i = 0; i < repeats; i++) {
    const r = await f();
    if (bestRun === undefined || rate(r) > rate(bestRun)) bestRun = r;
  }
  return bestRun!;
}

function joinParts(f: FrameParts): Uint8Array {
  return joinPieces([f.header, ...f.payload, f.trailer]);
}
