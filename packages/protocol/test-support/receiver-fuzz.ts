/**
 * Chunk receiver fuzzing (docs/testing.md, "Fuzzing"): a script of valid, damaged, duplicate and
 * out-of-order frames (whole or in pieces, awaited or pipelined the way the gateway pipelines
 * them) against one receiver whose store is slow or fails when the script says, and the
 * properties every script must keep. Shared by `src/chunk/chunk-receiver.fuzz.test.ts` and the
 * fast replay of the pinned scripts, `src/chunk/chunk-receiver-fuzz-regressions.test.ts`.
 *
 * A script is plain JSON (no bigint, no bytes): the data, frames and damage are rebuilt from it.
 */
import { create } from "@bufbuild/protobuf";
import fc from "fast-check";
import { bytesByteSource } from "../src/chunk/byte-source.js";
import type { PackedChunk } from "../src/chunk/chunk-format.js";
import { storedBytes } from "../src/chunk/chunk-format.js";
import { fixedChunkLayout } from "../src/chunk/chunk-layout.js";
import { createChunkReceiver, type ReceivedChunk, type ReceiverEvent } from "../src/chunk/chunk-receiver.js";
import { testBytes } from "../src/chunk/chunk-test-support.js";
import { chunkToFrame, createChunker } from "../src/chunk/chunker.js";
import { type ChunkCipher, createChunkCipher, hkdfSha256 } from "../src/crypto/index.js";
import { ackStatusOf, ERROR_CODES, type ErrorCode } from "../src/errors/error-codes.js";
import { encodeFrame } from "../src/frame/frame-codec.js";
import { FrameFlag } from "../src/frame/frame-format.js";
import { AckStatus } from "../src/gen/cyxwiz/data/v1/data_transfer_pb.js";
import { CipherParametersSchema, type DatasetManifest } from "../src/gen/cyxwiz/data/v1/manifest_pb.js";
import { joinPieces } from "../src/pieces.js";
import type { Primitives } from "../src/primitives/primitives.js";
import { cutPieces, u32Arb } from "./frame-fuzz.js";
import { concatBytes, toHex } from "./primitives-contract.js";

/** Damage that always makes a frame one the receiver must refuse (never store, never ack OK). */
export type Damage =
  /** One bit anywhere: CRC-32 catches every single-bit error, so FCS (or a header check) fails. */
  | { readonly kind: "flip"; readonly at: number; readonly bit: number }
  /** The first `keep` bytes (modulo the frame's length): truncated. */
  | { readonly kind: "truncate"; readonly keep: number }
  /** 1 to 16 zero bytes appended: trailing bytes. */
  | { readonly kind: "extend"; readonly bytes: number }
  /** A well-formed frame whose COMPRESSED (1), ENCRYPTED (2) or LAST_FRAME (4) flag contradicts the transfer. */
  | { readonly kind: "flags"; readonly toggle: 1 | 2 | 4 }
  /** A well-formed frame for a chunk past the last: numChunks + past, or 2^64 - 1 - past when `huge`. */
  | { readonly kind: "beyond"; readonly past: number; readonly huge: boolean }
  /**
   * A well-formed frame of the chunk's index with one payload byte changed (or one appended):
   * with a manifest the size, decryption or Merkle proof refuses it. Without one the receiver
   * cannot tell, so there it is sent with the FCS left wrong instead.
   */
  | { readonly kind: "forgery"; readonly at: number; readonly grow: boolean }
  /** payload_size rewritten (FCS left as it was). */
  | { readonly kind: "claim"; readonly payloadSize: number };

export type ReceiverMessage =
  | {
      readonly kind: "valid";
      /** Taken modulo numChunks. */
      readonly index: number;
      /** REQUIRES_ACK (8) and/or RETRANSMIT (16). */
      readonly extraFlags: number;
      readonly cuts: readonly number[];
    }
  | { readonly kind: "damaged"; readonly index: number; readonly damage: Damage; readonly cuts: readonly number[] };

export interface ReceiverStep {
  readonly message: ReceiverMessage;
  /** Sent without waiting for the calls before it to settle (the gateway keeps up to its window in flight). */
  readonly pipelined: boolean;
}

/** How the n-th call of `store` behaves: it settles after 8 × delay microtask turns (0: at once). */
export interface StoreBehaviour {
  readonly delay: number;
  readonly fails: boolean;
}

export interface ReceiverScript {
  /** Full mode (manifest declared, chunks decrypted and Merkle-verified) or streaming mode. */
  readonly withManifest: boolean;
  readonly encrypted: boolean;
  readonly numChunks: number;
  readonly chunkSize: number;
  /** Size of the last chunk: 1 + lastSize % chunkSize. */
  readonly lastSize: number;
  readonly dataSeed: number;
  readonly reorderWindow: number;
  readonly maxConcurrentStores: number;
  /** Chunks durable from an earlier connection (ChunkReceiverOptions.durable; indexes past the last are ignored). */
  readonly durable: readonly number[];
  readonly steps: readonly ReceiverStep[];
  /** Store calls beyond this list settle at once and succeed. */
  readonly stores: readonly StoreBehaviour[];
}

/** A corpus entry (src/chunk/chunk-receiver-fuzz-regressions.json). */
export interface PinnedReceiverScript {
  readonly name: string;
  readonly script: ReceiverScript;
}

/** What a script did, for the fuzz's statistics and the replay's sanity checks. */
export interface ReceiverRun {
  readonly stored: number;
  readonly refusals: number;
  readonly injectedFailures: number;
}

const indexArb = fc.nat({ max: 15 });

export const damageArb: fc.Arbitrary<Damage> = fc.oneof(
  fc.record({ kind: fc.constant("flip" as const), at: fc.nat(), bit: fc.integer({ min: 0, max: 7 }) }),
  fc.record({ kind: fc.constant("truncate" as const), keep: fc.nat() }),
  fc.record({ kind: fc.constant("extend" as const), bytes: fc.integer({ min: 1, max: 16 }) }),
  fc.record({ kind: fc.constant("flags" as const), toggle: fc.constantFrom(1 as const, 2 as const, 4 as const) }),
  fc.record({
    kind: fc.constant("beyond" as const),
    past: fc.oneof(fc.nat({ max: 3 }), fc.nat({ max: 0xffffffff })),
    huge: fc.boolean(),
  }),
  fc.record({ kind: fc.constant("forgery" as const), at: fc.nat(), grow: fc.boolean() }),
  fc.record({ kind: fc.constant("claim" as const), payloadSize: u32Arb }),
);

const cutsArb = fc.oneof(
  fc.constant([] as number[]),
  fc.array(fc.nat(), { minLength: 1, maxLength: 4 }),
  fc.array(fc.nat({ max: 40 }), { minLength: 1, maxLength: 12, size: "max" }),
);

export const receiverMessageArb: fc.Arbitrary<ReceiverMessage> = fc.oneof(
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant("valid" as const),
      index: indexArb,
      extraFlags: fc.constantFrom(8, 8, 8, 0, 24, 16),
      cuts: cutsArb,
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({ kind: fc.constant("damaged" as const), index: indexArb, damage: damageArb, cuts: cutsArb }),
  },
);

export const receiverScriptArb: fc.Arbitrary<ReceiverScript> = fc.record({
  withManifest: fc.boolean(),
  encrypted: fc.boolean(),
  numChunks: fc.integer({ min: 1, max: 10 }),
  chunkSize: fc.integer({ min: 1, max: 40 }),
  lastSize: fc.nat({ max: 39 }),
  dataSeed: fc.nat({ max: 1000 }),
  reorderWindow: fc.integer({ min: 1, max: 6 }),
  maxConcurrentStores: fc.integer({ min: 1, max: 4 }),
  durable: fc.oneof(fc.constant([] as number[]), fc.array(indexArb, { maxLength: 4 })),
  steps: fc.array(fc.record({ message: receiverMessageArb, pipelined: fc.boolean() }), {
    minLength: 1,
    maxLength: 30,
    size: "max",
  }),
  stores: fc.array(
    fc.record({
      delay: fc.integer({ min: 0, max: 3 }),
      fails: fc.oneof({ weight: 6, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: fc.constant(true) }),
    }),
    { maxLength: 16 },
  ),
});

/** The fixed key and cipher parameters of encrypted scripts: the same bytes on every run. */
let cipherMade: Promise<ChunkCipher> | undefined;
function fuzzCipher(p: Primitives): Promise<ChunkCipher> {
  cipherMade ??= (async () => {
    const key = new Uint8Array(32).fill(7);
    const salt = new Uint8Array(16).fill(0x10);
    const made = await createChunkCipher(
      p,
      key,
      create(CipherParametersSchema, {
        algorithm: "AES-256-GCM-STREAM-v1",
        salt,
        noncePrefix: new Uint8Array(7).fill(0x20),
        keyCheck: hkdfSha256(key, salt, "cyxwiz-key-check-v1", 16),
      }),
    );
    if (!made.ok) throw new Error(made.error.message);
    return made.value;
  })();
  return cipherMade;
}

interface Transfer {
  readonly data: Uint8Array;
  readonly chunks: readonly PackedChunk[];
  readonly manifest: DatasetManifest;
  readonly cipher: ChunkCipher | undefined;
}

async function packScript(p: Primitives, s: ReceiverScript): Promise<Transfer> {
  const last = 1 + (s.lastSize % s.chunkSize);
  const data = testBytes((s.numChunks - 1) * s.chunkSize + last, s.dataSeed + 1);
  const cipher = s.encrypted ? await fuzzCipher(p) : undefined;
  const chunker = createChunker(p, bytesByteSource(data), {
    chunkSize: s.chunkSize,
    ...(cipher === undefined ? {} : { cipher }),
    metadata: { name: "fuzz" },
  });
  const chunks: PackedChunk[] = [];
  for await (const c of chunker.chunks()) chunks.push(c);
  if (chunks.length !== s.numChunks) throw new Error(`packed ${chunks.length} chunks, expected ${s.numChunks}`);
  return { data, chunks, manifest: chunker.manifest(), cipher };
}

const u64 = 2n ** 64n - 1n;

/** The bytes of a message (a damaged one is refused by construction; see {@link Damage}). */
async function messageBytes(p: Primitives, s: ReceiverScript, t: Transfer, m: ReceiverMessage): Promise<Uint8Array> {
  const chunk = t.chunks[m.index % s.numChunks]!;
  if (m.kind === "valid") return chunkToFrame(p, chunk, m.extraFlags);
  const d = m.damage;
  const frame = await chunkToFrame(p, chunk, FrameFlag.REQUIRES_ACK);
  const payload = storedBytes(chunk);
  const reframe = (over: { sequence?: bigint; flags?: number; payload?: Uint8Array }) =>
    encodeFrame(p, {
      sequence: over.sequence ?? BigInt(chunk.index),
      flags: over.flags ?? chunk.flags | FrameFlag.REQUIRES_ACK,
      payload: over.payload ?? payload,
    });
  switch (d.kind) {
    case "flip":
      frame[d.at % frame.length]! ^= 1 << d.bit;
      return frame;
    case "truncate":
      return frame.slice(0, d.keep % frame.length);
    case "extend":
      return concatBytes(frame, new Uint8Array(d.bytes));
    case "flags":
      return reframe({ flags: chunk.flags ^ d.toggle });
    case "beyond":
      return reframe({ sequence: d.huge ? u64 - BigInt(d.past) : BigInt(s.numChunks + d.past) });
    case "forgery": {
      if (!s.withManifest) {
        frame[24 + (d.at % payload.length)]! ^= 0x01;
        return frame;
      }
      const forged = d.grow ? concatBytes(payload, new Uint8Array([d.at & 0xff])) : payload.slice();
      if (!d.grow) forged[d.at % forged.length]! ^= 1 + (d.at % 255);
      return reframe({ payload: forged });
    }
    case "claim": {
      const view = new DataView(frame.buffer, frame.byteOffset, frame.byteLength);
      const claimed = d.payloadSize === payload.length ? (d.payloadSize + 1) >>> 0 : d.payloadSize;
      view.setUint32(16, claimed);
      return frame;
    }
  }
}

const TRANSFER_ID = "tr_fuzz";

/**
 * Runs one script and checks, as it goes and at the end:
 * - receiveFrame never throws or rejects, except with the very error a failing store threw;
 * - `store` is never called for a chunk that is durable or being stored (no chunk stored twice),
 *   and always with exactly that chunk's bytes, digest and size (its plaintext in full mode),
 *   intact until the store settles, even though the test scribbles over every message's buffers
 *   as soon as its call settles (the receiver keeps only copies);
 * - a damaged message's call returns no ACK_OK, "durable" or "complete";
 * - ACK_OK and "durable" come at most once per chunk, only once its store succeeded, ACK_OK only
 *   for a chunk some valid REQUIRES_ACK frame carried; every other ack names a catalogued code
 *   whose AckStatus it carries; "complete" comes at most once, with the declared root;
 * - sending each missing chunk once more, in order, completes the transfer: every chunk not
 *   durable at the start stored exactly once, the counters right.
 *
 * @throws Error naming the first property that does not hold.
 */
export async function runReceiverScript(p: Primitives, s: ReceiverScript): Promise<ReceiverRun> {
  const t = await packScript(p, s);
  const n = s.numChunks;
  const initial = new Set(s.durable.filter((i) => i < n));
  const violations: string[] = [];
  const fail = (message: string) => {
    violations.push(message);
  };

  const inFlight = new Set<number>();
  const succeeded = new Set<number>();
  const injected = new Set<unknown>();
  let storeCalls = 0;
  let draining = false;
  const expectChunk = (c: ReceivedChunk, when: string) => {
    const want = t.chunks[c.index]!;
    const bytes = toHex(joinPieces(c.storedParts));
    if (bytes !== toHex(storedBytes(want)) || toHex(c.stored) !== bytes || c.storedSize !== want.storedSize)
      fail(`store(${c.index}) ${when}: the bytes are not chunk ${c.index}'s`);
    if (toHex(c.digest) !== toHex(want.digest)) fail(`store(${c.index}) ${when}: wrong digest`);
  };
  const store = async (c: ReceivedChunk) => {
    const i = c.index;
    if (!Number.isInteger(i) || i < 0 || i >= n) {
      fail(`store called for chunk ${i} of ${n}`);
      return;
    }
    if (initial.has(i) || succeeded.has(i) || inFlight.has(i)) fail(`chunk ${i} stored twice`);
    expectChunk(c, "when called");
    if (s.withManifest) {
      const plain = t.data.subarray(i * s.chunkSize, i * s.chunkSize + t.chunks[i]!.plainSize);
      if (c.plaintext === undefined || toHex(c.plaintext) !== toHex(plain))
        fail(`store(${i}): the plaintext is not chunk ${i}'s`);
    } else if (c.plaintext !== undefined) fail(`store(${i}): a plaintext in streaming mode`);
    const behaviour = draining ? undefined : s.stores[storeCalls];
    storeCalls++;
    inFlight.add(i);
    try {
      for (let k = 0; k < (behaviour?.delay ?? 0) * 8; k++) await Promise.resolve();
      expectChunk(c, "when it settles");
      if (behaviour?.fails === true) {
        const e = new Error(`injected failure storing chunk ${i}`);
        injected.add(e);
        throw e;
      }
      succeeded.add(i);
    } finally {
      inFlight.delete(i);
    }
  };

  const made = await createChunkReceiver({
    primitives: p,
    transferId: TRANSFER_ID,
    ...(s.withManifest
      ? { manifest: t.manifest, ...(t.cipher === undefined ? {} : { cipher: t.cipher }) }
      : {
          streaming: {
            layout: fixedChunkLayout(s.chunkSize, t.data.length),
            encrypted: s.encrypted,
            mayBeCompressed: false,
          },
        }),
    store,
    durable: [...s.durable],
    reorderWindow: s.reorderWindow,
    maxConcurrentStores: s.maxConcurrentStores,
  });
  if (!made.ok) throw new Error(`createChunkReceiver refused the script: ${made.error.message}`);
  const r = made.value;

  const ackable = new Set<number>();
  const okAcked = new Set<number>();
  const durableSeen = new Set<number>();
  let completes = 0;
  let refusals = 0;
  let rejected = 0;
  const codes = new Set(Object.keys(ERROR_CODES));

  const checkEvents = (events: ReceiverEvent[], m: ReceiverMessage, label: string) => {
    for (const e of events) {
      switch (e.kind) {
        case "ack": {
          const a = e.ack;
          if (a.transferId !== TRANSFER_ID) fail(`${label}: an ack for transfer ${a.transferId}`);
          if (a.status === AckStatus.ACK_OK) {
            if (m.kind === "damaged") fail(`${label}: a damaged frame was acked OK (chunk ${a.chunkIndex})`);
            if (!succeeded.has(a.chunkIndex)) fail(`${label}: ACK_OK for chunk ${a.chunkIndex}, which is not stored`);
            if (!ackable.has(a.chunkIndex))
              fail(`${label}: ACK_OK for chunk ${a.chunkIndex}, which no REQUIRES_ACK frame carried`);
            if (okAcked.has(a.chunkIndex)) fail(`${label}: chunk ${a.chunkIndex} acked OK twice`);
            okAcked.add(a.chunkIndex);
            break;
          }
          refusals++;
          const code = /^(CYXW_ERR_[A-Z_]+): ./.exec(a.errorMessage)?.[1];
          if (code === undefined || !codes.has(code)) {
            fail(`${label}: ack ${AckStatus[a.status]} with message ${JSON.stringify(a.errorMessage)}`);
            break;
          }
          const status = ackStatusOf(code as ErrorCode) ?? AckStatus.ACK_CHECKSUM_MISMATCH;
          if (status !== a.status) fail(`${label}: ${code} acked as ${AckStatus[a.status]}`);
          break;
        }
        case "durable":
          if (m.kind === "damaged") fail(`${label}: a damaged frame made chunk ${e.index} durable`);
          if (!succeeded.has(e.index) || durableSeen.has(e.index))
            fail(
              `${label}: "durable" for chunk ${e.index} (stored: ${succeeded.has(e.index)}, seen before: ${durableSeen.has(e.index)})`,
            );
          if (e.bytes !== t.chunks[e.index]?.storedSize)
            fail(`${label}: chunk ${e.index} durable with ${e.bytes} bytes`);
          durableSeen.add(e.index);
          break;
        case "retransmit":
          if (!codes.has(e.reason)) fail(`${label}: retransmit for ${e.reason}`);
          break;
        case "complete": {
          completes++;
          if (m.kind === "damaged") fail(`${label}: a damaged frame completed the transfer`);
          if (completes > 1) fail(`${label}: "complete" twice`);
          for (let i = 0; i < n; i++)
            if (!initial.has(i) && !succeeded.has(i)) fail(`${label}: "complete" with chunk ${i} not stored`);
          const root = e.merkleRoot === undefined ? undefined : toHex(e.merkleRoot);
          const want = s.withManifest ? toHex(t.manifest.metadata!.merkleRoot) : undefined;
          if (root !== want) fail(`${label}: "complete" with root ${root}, expected ${want}`);
          break;
        }
        default:
          fail(`${label}: an event of kind ${(e as { kind: string }).kind}`);
      }
    }
  };

  const send = async (m: ReceiverMessage, label: string): Promise<void> => {
    const pieces = cutPieces(await messageBytes(p, s, t, m), m.cuts);
    if (m.kind === "valid" && (m.extraFlags & FrameFlag.REQUIRES_ACK) !== 0) ackable.add(m.index % n);
    const scribble = () => {
      for (const piece of pieces) piece.fill(0xee); // the caller may reuse its buffers now
    };
    let events: ReceiverEvent[];
    try {
      events = await r.receiveFrame(pieces);
    } catch (e) {
      rejected++;
      if (!injected.has(e)) fail(`${label}: receiveFrame threw ${String(e)}`);
      scribble();
      return;
    }
    scribble();
    checkEvents(events, m, label);
  };

  let outstanding: Promise<void>[] = [];
  for (const [k, step] of s.steps.entries()) {
    if (!step.pipelined) {
      await Promise.all(outstanding);
      outstanding = [];
    }
    outstanding.push(send(step.message, `step ${k} (${step.message.kind} ${step.message.index % n})`));
  }
  await Promise.all(outstanding);
  if (inFlight.size > 0) fail(`stores still in flight after every call settled: ${[...inFlight]}`);

  draining = true;
  for (const i of r.missingChunks()) await send({ kind: "valid", index: i, extraFlags: 8, cuts: [] }, `drain ${i}`);
  const missing = r.missingChunks();
  if (missing.length > 0 || !r.complete || r.chunksDurable !== n)
    fail(
      `after the drain: missing ${JSON.stringify(missing)}, complete ${r.complete}, ${r.chunksDurable} of ${n} durable`,
    );
  for (let i = 0; i < n; i++)
    if (initial.has(i) === succeeded.has(i))
      fail(`chunk ${i}: durable at the start ${initial.has(i)}, stored ${succeeded.has(i)}`);
  if (initial.size < n && completes !== 1 && rejected === 0) fail(`"complete" came ${completes} times`);
  const bytes = t.chunks.reduce(
    (sum, c) => sum + (succeeded.has(c.index) || (s.withManifest && initial.has(c.index)) ? c.storedSize : 0),
    0,
  );
  if (r.bytesDurable !== bytes) fail(`bytesDurable ${r.bytesDurable}, expected ${bytes}`);

  if (violations.length > 0) throw new Error(violations.join("\n"));
  return { stored: succeeded.size, refusals, injectedFailures: injected.size };
}
