/**
 * Frame fuzzing (docs/testing.md, "Fuzzing"): what the slow suite generates, and the properties
 * every input must satisfy, shared by `src/frame/frame.fuzz.test.ts` (100,000-odd generated cases)
 * and `src/frame/frame-fuzz-regressions.test.ts` (the pinned corpus, replayed by `npm test` in Node
 * and Chromium).
 *
 * The oracle is {@link referenceVerdict}: the decoding order of docs/wire-format.md written out
 * again, with its own CRC-32, so decodeFrame, decodeFramePieces and the spec are three
 * implementations that must agree on every input.
 */
import fc from "fast-check";
import { ERROR_CODES, type ErrorCode, isProtocolError } from "../src/errors/error-codes.js";
import { type DecodeOptions, decodeFrame, decodeFramePieces, encodeFrame } from "../src/frame/frame-codec.js";
import { DEFAULT_MAX_PAYLOAD_BYTES, FRAME_OVERHEAD_BYTES } from "../src/frame/frame-format.js";
import { splitFrames } from "../src/frame/frame-reader.js";
import { joinPieces } from "../src/pieces.js";
import type { Primitives } from "../src/primitives/primitives.js";
import { concatBytes, fromHex, toHex } from "./primitives-contract.js";

/** What decoding gives: "ok" or the failure's code. */
export type Verdict = "ok" | ErrorCode;

/** One input to the decoders. */
export interface FrameCase {
  readonly bytes: Uint8Array;
  /** Where decodeFramePieces gets the message cut (see {@link cutPieces}). */
  readonly cuts: readonly number[];
  /** DecodeOptions.maxPayloadBytes; undefined: the default (16 MiB). */
  readonly maxPayloadBytes?: number | undefined;
}

/** A corpus entry (src/frame/frame-fuzz-regressions.json): a case and the verdict the spec gives it. */
export interface PinnedFrameCase {
  readonly name: string;
  readonly hex: string;
  readonly cuts: readonly number[];
  readonly maxPayloadBytes?: number;
  readonly expect: Verdict;
}

/** A concatenation of frames fed to splitFrames in pieces. */
export interface StreamCase {
  readonly stream: Uint8Array;
  readonly cuts: readonly number[];
  readonly maxPayloadBytes?: number | undefined;
}

/** A corpus entry for splitFrames: the stream, its cuts, and what the spec splits it into. */
export interface PinnedStreamCase {
  readonly name: string;
  readonly streamHex: string;
  readonly cuts: readonly number[];
  readonly maxPayloadBytes?: number;
  /** Lengths of the frames splitFrames yields, then "end" or the code it throws. */
  readonly expect: { readonly frames: readonly number[]; readonly end: "end" | ErrorCode };
}

export const MAGIC = 0x43595857;

/** Codes a frame decoder may fail with (docs/wire-format.md, "Frame"). */
const FRAME_CODES: readonly ErrorCode[] = [
  "CYXW_ERR_TRUNCATED",
  "CYXW_ERR_MAGIC",
  "CYXW_ERR_VERSION",
  "CYXW_ERR_UNKNOWN_FLAGS",
  "CYXW_ERR_PAYLOAD_TOO_LARGE",
  "CYXW_ERR_TRAILING_BYTES",
  "CYXW_ERR_FCS",
  "CYXW_ERR_CHECKSUM",
];

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

/** CRC-32 (IEEE 802.3, reflected, poly 0xEDB88320), written out here so the oracle does not share the primitives' code. */
export function referenceCrc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (const b of bytes) c = CRC_TABLE[(c ^ b) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

const u32 = (bytes: Uint8Array, at: number) =>
  ((bytes[at]! << 24) | (bytes[at + 1]! << 16) | (bytes[at + 2]! << 8) | bytes[at + 3]!) >>> 0;

/** The header's failure, or the total frame length it declares: docs/wire-format.md's first five checks. */
function referenceHeader(bytes: Uint8Array, max: number): ErrorCode | number {
  if (bytes.length < 24) return "CYXW_ERR_TRUNCATED";
  if (u32(bytes, 0) !== MAGIC) return "CYXW_ERR_MAGIC";
  if (u32(bytes, 4) !== 1) return "CYXW_ERR_VERSION";
  if (u32(bytes, 20) > 0x1f) return "CYXW_ERR_UNKNOWN_FLAGS";
  const n = u32(bytes, 16);
  if (n > max) return "CYXW_ERR_PAYLOAD_TOO_LARGE";
  return n + 60;
}

/** What docs/wire-format.md says decoding `bytes` gives, check by check in its order. */
export async function referenceVerdict(p: Primitives, bytes: Uint8Array, max: number): Promise<Verdict> {
  const header = referenceHeader(bytes, max);
  if (typeof header === "string") return header;
  if (bytes.length < header) return "CYXW_ERR_TRUNCATED";
  if (bytes.length > header) return "CYXW_ERR_TRAILING_BYTES";
  const n = header - 60;
  if (referenceCrc32(bytes.subarray(0, 24 + n)) !== u32(bytes, 24 + n)) return "CYXW_ERR_FCS";
  const digest = await p.sha256(bytes.slice(24, 24 + n));
  return toHex(digest) === toHex(bytes.subarray(28 + n, 60 + n)) ? "ok" : "CYXW_ERR_CHECKSUM";
}

/**
 * `bytes` cut at `cuts` (each taken modulo length + 1, then sorted; repeats give empty pieces),
 * every piece copied into its own buffer at a nonzero offset between guard bytes, the way a
 * WebSocket message's fragments arrive as views of larger buffers.
 */
export function cutPieces(bytes: Uint8Array, cuts: readonly number[]): Uint8Array[] {
  const at = cuts.map((c) => c % (bytes.length + 1)).sort((a, b) => a - b);
  const pieces: Uint8Array[] = [];
  let from = 0;
  for (const to of [...at, bytes.length]) {
    pieces.push(guarded(bytes.subarray(from, to), pieces.length));
    from = to;
  }
  return pieces;
}

/** A copy of `bytes` as a view at offset 1 + salt % 7 of a buffer whose other bytes are 0xa5. */
function guarded(bytes: Uint8Array, salt: number): Uint8Array {
  const offset = 1 + (salt % 7);
  const buffer = new Uint8Array(bytes.length + offset + 5).fill(0xa5);
  buffer.set(bytes, offset);
  return buffer.subarray(offset, offset + bytes.length);
}

/**
 * Runs `work` while counting every `new Uint8Array(n)` / `new ArrayBuffer(n)` it makes through the
 * globals (the protocol's own allocations: joins, copies, buffered frames); returns the largest.
 * Views of existing buffers allocate nothing and are not counted.
 */
export async function largestAllocation<T>(work: () => Promise<T>): Promise<{ result: T; largest: number }> {
  const g = globalThis as { Uint8Array: Uint8ArrayConstructor; ArrayBuffer: ArrayBufferConstructor };
  const original = { Uint8Array: g.Uint8Array, ArrayBuffer: g.ArrayBuffer };
  let largest = 0;
  const size = (arg: unknown): number => {
    if (typeof arg === "number") return arg;
    if (
      arg instanceof original.ArrayBuffer ||
      (typeof SharedArrayBuffer !== "undefined" && arg instanceof SharedArrayBuffer)
    )
      return 0;
    if (typeof arg === "object" && arg !== null && "length" in arg) return Number((arg as { length: unknown }).length);
    return 0;
  };
  const counting = <C extends new (...args: never[]) => object>(target: C): C => {
    const proxy: C = new Proxy(target, {
      construct(t, args, newTarget) {
        largest = Math.max(largest, size(args[0]));
        return Reflect.construct(t, args, newTarget === proxy ? t : newTarget);
      },
    });
    return proxy;
  };
  g.Uint8Array = counting(original.Uint8Array);
  g.ArrayBuffer = counting(original.ArrayBuffer);
  try {
    return { result: await work(), largest };
  } finally {
    g.Uint8Array = original.Uint8Array;
    g.ArrayBuffer = original.ArrayBuffer;
  }
}

function options(max: number | undefined): DecodeOptions {
  return max === undefined ? {} : { maxPayloadBytes: max };
}

function describeBytes(bytes: Uint8Array): string {
  const hex = toHex(bytes.subarray(0, 48));
  return `${bytes.length} bytes ${hex}${bytes.length > 48 ? "…" : ""}`;
}

/** Throws when a decoder threw, or failed with a code or message a frame decoder may not give. */
async function settled<T>(
  label: string,
  run: () => Promise<{ ok: true; value: T } | { ok: false; error: { code: ErrorCode; message: string } }>,
) {
  let r: Awaited<ReturnType<typeof run>>;
  try {
    r = await run();
  } catch (e) {
    throw new Error(`${label} threw instead of returning a failure: ${String(e)}`, { cause: e });
  }
  if (!r.ok) {
    if (!FRAME_CODES.includes(r.error.code) || !(r.error.code in ERROR_CODES))
      throw new Error(`${label} failed with ${r.error.code}, not a frame decoding code`);
    if (typeof r.error.message !== "string" || r.error.message.length === 0)
      throw new Error(`${label} failed with ${r.error.code} but no message`);
  }
  return r;
}

/**
 * Checks every property of one input and returns its verdict:
 * - decodeFrame never throws, fails only with frame codes, and gives the spec's verdict;
 * - decodeFramePieces over the cut pieces gives the same verdict, and when the frame is accepted,
 *   the same header, FCS, checksum and payload bytes;
 * - an accepted frame re-encodes (encodeFrame) to exactly the input bytes;
 * - neither decoder allocates more than the input's length plus a header and trailer, whatever
 *   the header claims (a 4 GiB payload_size allocates nothing).
 *
 * @throws Error naming the property that does not hold.
 */
export async function checkFrameCase(p: Primitives, c: FrameCase): Promise<Verdict> {
  const { bytes } = c;
  const max = c.maxPayloadBytes ?? DEFAULT_MAX_PAYLOAD_BYTES;
  const what = `${describeBytes(bytes)}, cuts ${JSON.stringify(c.cuts)}, maxPayloadBytes ${max}`;
  const expected = await referenceVerdict(p, bytes, max);
  const bound = bytes.length + FRAME_OVERHEAD_BYTES;

  const whole = await largestAllocation(() =>
    settled("decodeFrame", () => decodeFrame(p, guarded(bytes, 3), options(c.maxPayloadBytes))),
  );
  const wholeVerdict: Verdict = whole.result.ok ? "ok" : whole.result.error.code;
  if (wholeVerdict !== expected) throw new Error(`decodeFrame gives ${wholeVerdict}, the spec ${expected}: ${what}`);
  if (whole.largest > bound)
    throw new Error(`decodeFrame allocated ${whole.largest} bytes for a ${bytes.length}-byte input: ${what}`);

  const pieces = cutPieces(bytes, c.cuts);
  const split = await largestAllocation(() =>
    settled("decodeFramePieces", () => decodeFramePieces(p, pieces, options(c.maxPayloadBytes))),
  );
  const piecesVerdict: Verdict = split.result.ok ? "ok" : split.result.error.code;
  if (piecesVerdict !== wholeVerdict)
    throw new Error(`decodeFramePieces gives ${piecesVerdict}, decodeFrame ${wholeVerdict}: ${what}`);
  if (split.largest > bound)
    throw new Error(`decodeFramePieces allocated ${split.largest} bytes for a ${bytes.length}-byte input: ${what}`);

  if (whole.result.ok && split.result.ok) {
    const a = whole.result.value;
    const b = split.result.value;
    const same =
      a.version === b.version &&
      a.sequence === b.sequence &&
      a.payloadSize === b.payloadSize &&
      a.flags === b.flags &&
      a.fcs === b.fcs &&
      toHex(a.checksum) === toHex(b.checksum) &&
      toHex(a.payload) === toHex(joinPieces(b.payload)) &&
      a.payload.length === a.payloadSize;
    if (!same) throw new Error(`decodeFrame and decodeFramePieces accept different frames: ${what}`);
    const again = await encodeFrame(p, { sequence: a.sequence, flags: a.flags, payload: a.payload.slice() });
    if (toHex(again) !== toHex(bytes)) throw new Error(`an accepted frame re-encodes to other bytes: ${what}`);
  }
  return expected;
}

/** What the spec says splitFrames makes of a stream: the frames' lengths, then how it ends. */
export function referenceSplit(stream: Uint8Array, max: number): PinnedStreamCase["expect"] {
  const frames: number[] = [];
  let at = 0;
  while (at < stream.length) {
    const rest = stream.subarray(at);
    if (rest.length < 24) return { frames, end: "CYXW_ERR_TRUNCATED" };
    const header = referenceHeader(rest, max);
    if (typeof header === "string") return { frames, end: header };
    if (rest.length < header) return { frames, end: "CYXW_ERR_TRUNCATED" };
    frames.push(header);
    at += header;
  }
  return { frames, end: "end" };
}

/**
 * Feeds a stream to splitFrames in the cut pieces and checks: it yields exactly the frames the
 * spec splits the stream into (byte for byte), then ends or throws a ProtocolError with the spec's
 * code, never anything else; and it never allocates more than the stream's length.
 *
 * @returns what it did, in the corpus's form.
 * @throws Error naming the property that does not hold.
 */
export async function checkStreamCase(c: StreamCase): Promise<PinnedStreamCase["expect"]> {
  const max = c.maxPayloadBytes ?? DEFAULT_MAX_PAYLOAD_BYTES;
  const expected = referenceSplit(c.stream, max);
  const what = `${describeBytes(c.stream)}, cuts ${JSON.stringify(c.cuts)}, maxPayloadBytes ${max}`;
  const pieces = cutPieces(c.stream, c.cuts);
  async function* source() {
    yield* pieces;
  }
  const { result, largest } = await largestAllocation(async () => {
    const frames: Uint8Array[] = [];
    try {
      for await (const f of splitFrames(source(), options(c.maxPayloadBytes))) frames.push(f.slice());
      return { frames, end: "end" as const };
    } catch (e) {
      if (!isProtocolError(e)) throw new Error(`splitFrames threw ${String(e)}, not a ProtocolError: ${what}`);
      return { frames, end: e.code };
    }
  });
  if (largest > c.stream.length + FRAME_OVERHEAD_BYTES)
    throw new Error(`splitFrames allocated ${largest} bytes for a ${c.stream.length}-byte stream: ${what}`);
  let at = 0;
  const lengths: number[] = [];
  for (const f of result.frames) {
    if (toHex(f) !== toHex(c.stream.subarray(at, at + f.length)))
      throw new Error(`splitFrames yielded bytes that are not the stream's at ${at}: ${what}`);
    at += f.length;
    lengths.push(f.length);
  }
  const got = { frames: lengths, end: result.end };
  if (JSON.stringify(got) !== JSON.stringify(expected))
    throw new Error(`splitFrames gives ${JSON.stringify(got)}, the spec ${JSON.stringify(expected)}: ${what}`);
  return got;
}

export function frameCaseOfPinned(entry: PinnedFrameCase): FrameCase {
  return { bytes: fromHex(entry.hex), cuts: entry.cuts, maxPayloadBytes: entry.maxPayloadBytes };
}

export function streamCaseOfPinned(entry: PinnedStreamCase): StreamCase {
  return { stream: fromHex(entry.streamHex), cuts: entry.cuts, maxPayloadBytes: entry.maxPayloadBytes };
}

// ---------------------------------------------------------------------------------------------
// Generators. A recipe is a valid frame and the damage done to it; it is built into bytes inside
// the (async) property, so fast-check shrinks the recipe and a failure prints it.

/** Sequences at the edges of u32, u53 and u64, and small and arbitrary ones. */
export const sequenceArb = fc.oneof(
  fc.constantFrom(
    0n,
    1n,
    2n ** 31n - 1n,
    2n ** 31n,
    2n ** 32n - 1n,
    2n ** 32n,
    2n ** 53n + 1n,
    2n ** 63n,
    2n ** 64n - 1n,
  ),
  fc.bigInt({ min: 0n, max: 40n }),
  fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }),
);

/** u32 values a hostile header uses: edges, powers of two, the default bound and its neighbours. */
export const u32Arb = fc.oneof(
  fc.constantFrom(
    0,
    1,
    2,
    0x1f,
    0x20,
    0x7fffffff,
    0x80000000,
    0xfffffff0,
    0xffffffff,
    DEFAULT_MAX_PAYLOAD_BYTES,
    DEFAULT_MAX_PAYLOAD_BYTES + 1,
  ),
  fc.integer({ min: 0, max: 0xffffffff }),
);

/** maxPayloadBytes: mostly the default, sometimes tiny, sometimes "anything up to 4 GiB". */
export const maxPayloadArb = fc.oneof(
  { weight: 6, arbitrary: fc.constant(undefined) },
  { weight: 1, arbitrary: fc.constantFrom(0, 1, 64, 0xffffffff) },
  { weight: 1, arbitrary: fc.integer({ min: 0, max: 1024 }) },
);

/** Where a message is cut: mostly once or more (the pieces path), sometimes never (one piece). */
export const cutsArb = fc.oneof(
  { weight: 4, arbitrary: fc.array(fc.nat(), { minLength: 1, maxLength: 8 }) },
  { weight: 1, arbitrary: fc.array(fc.nat({ max: 30 }), { minLength: 1, maxLength: 30, size: "max" }) },
  { weight: 1, arbitrary: fc.constant([] as number[]) },
);

export type Mutation =
  | { readonly kind: "flip"; readonly at: number; readonly bit: number }
  | { readonly kind: "set"; readonly at: number; readonly value: number }
  | { readonly kind: "truncate"; readonly by: number }
  | { readonly kind: "cut"; readonly to: number }
  | { readonly kind: "extend"; readonly bytes: Uint8Array }
  | { readonly kind: "field"; readonly field: "magic" | "version" | "payloadSize" | "flags"; readonly value: number }
  | { readonly kind: "payloadSizeBy"; readonly delta: number }
  | { readonly kind: "sequence"; readonly value: bigint }
  /** Recomputes the FCS where the (possibly tampered) header says it is, so later checks are reached. */
  | { readonly kind: "fixFcs" }
  /** Recomputes the checksum of the payload the header declares, and then the FCS. */
  | { readonly kind: "fixChecksum" };

export const mutationArb: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant("flip" as const), at: fc.nat(), bit: fc.integer({ min: 0, max: 7 }) }),
  fc.record({ kind: fc.constant("set" as const), at: fc.nat(), value: fc.integer({ min: 0, max: 255 }) }),
  fc.record({ kind: fc.constant("truncate" as const), by: fc.integer({ min: 1, max: 80 }) }),
  fc.record({ kind: fc.constant("cut" as const), to: fc.nat() }),
  fc.record({
    kind: fc.constant("extend" as const),
    bytes: fc.uint8Array({ minLength: 1, maxLength: 70, size: "max" }),
  }),
  fc.record({
    kind: fc.constant("field" as const),
    field: fc.constantFrom("magic" as const, "version" as const, "payloadSize" as const, "flags" as const),
    value: u32Arb,
  }),
  fc.record({ kind: fc.constant("payloadSizeBy" as const), delta: fc.integer({ min: -70, max: 70 }) }),
  fc.record({ kind: fc.constant("sequence" as const), value: sequenceArb }),
  fc.constant({ kind: "fixFcs" as const }),
  fc.constant({ kind: "fixChecksum" as const }),
);

/** A valid frame, the mutations done to it in order, and how the result is cut and bounded. */
export interface FrameRecipe {
  readonly payload: Uint8Array;
  readonly sequence: bigint;
  readonly flags: number;
  readonly mutations: readonly Mutation[];
  readonly cuts: readonly number[];
  readonly maxPayloadBytes: number | undefined;
}

export const frameRecipeArb = (maxMutations: number): fc.Arbitrary<FrameRecipe> =>
  fc.record({
    payload: fc.oneof(fc.uint8Array({ maxLength: 64, size: "max" }), fc.uint8Array({ maxLength: 600, size: "max" })),
    sequence: sequenceArb,
    flags: fc.integer({ min: 0, max: 0x1f }),
    mutations: fc.array(mutationArb, { maxLength: maxMutations, size: "max" }),
    cuts: cutsArb,
    maxPayloadBytes: maxPayloadArb,
  });

const setU32 = (bytes: Uint8Array, at: number, v: number) => {
  if (at + 4 <= bytes.length) new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).setUint32(at, v >>> 0);
};

/** Applies one mutation (a new buffer when the length changes). */
async function mutate(p: Primitives, frame: Uint8Array, m: Mutation): Promise<Uint8Array> {
  switch (m.kind) {
    case "flip":
      if (frame.length > 0) frame[m.at % frame.length]! ^= 1 << m.bit;
      return frame;
    case "set":
      if (frame.length > 0) frame[m.at % frame.length] = m.value;
      return frame;
    case "truncate":
      return frame.slice(0, Math.max(0, frame.length - m.by));
    case "cut":
      return frame.slice(0, m.to % (frame.length + 1));
    case "extend":
      return concatBytes(frame, m.bytes);
    case "field":
      setU32(frame, { magic: 0, version: 4, payloadSize: 16, flags: 20 }[m.field], m.value);
      return frame;
    case "payloadSizeBy":
      if (frame.length >= 20) setU32(frame, 16, u32(frame, 16) + m.delta);
      return frame;
    case "sequence":
      if (frame.length >= 16) new DataView(frame.buffer, frame.byteOffset, frame.byteLength).setBigUint64(8, m.value);
      return frame;
    case "fixFcs":
    case "fixChecksum": {
      if (frame.length < 24) return frame;
      const n = u32(frame, 16);
      if (frame.length < n + 60) return frame;
      if (m.kind === "fixChecksum") frame.set(await p.sha256(frame.slice(24, 24 + n)), 28 + n);
      setU32(frame, 24 + n, referenceCrc32(frame.subarray(0, 24 + n)));
      return frame;
    }
  }
}

/** The bytes a recipe describes. */
export async function buildFrame(p: Primitives, r: Pick<FrameRecipe, "payload" | "sequence" | "flags" | "mutations">) {
  let frame = await encodeFrame(p, { sequence: r.sequence, flags: r.flags, payload: r.payload });
  for (const m of r.mutations) frame = await mutate(p, frame, m);
  return frame;
}

/** A header claiming `payloadSize` (often far more than follows), then `tail`. */
export interface ClaimRecipe {
  readonly payloadSize: number;
  readonly flags: number;
  readonly sequence: bigint;
  readonly tail: Uint8Array;
  /** Pad or cut the tail to exactly the claimed payload and trailer (claims up to 4 KiB), to reach the FCS check. */
  readonly exact: boolean;
  /** Put a correct FCS where the claimed payload ends, when the tail reaches that far. */
  readonly fixFcs: boolean;
  readonly cuts: readonly number[];
  readonly maxPayloadBytes: number | undefined;
}

export const claimRecipeArb: fc.Arbitrary<ClaimRecipe> = fc.record({
  payloadSize: fc.oneof(u32Arb, fc.integer({ min: 0, max: 300 })),
  flags: fc.oneof(fc.integer({ min: 0, max: 0x1f }), u32Arb),
  sequence: sequenceArb,
  tail: fc.uint8Array({ maxLength: 400, size: "max" }),
  exact: fc.boolean(),
  fixFcs: fc.boolean(),
  cuts: cutsArb,
  maxPayloadBytes: fc.oneof(maxPayloadArb, fc.constant(0xffffffff), u32Arb),
});

export function buildClaim(r: ClaimRecipe): Uint8Array {
  const tailLength = r.exact && r.payloadSize <= 4096 ? r.payloadSize + 36 : r.tail.length;
  const frame = new Uint8Array(24 + tailLength);
  const view = new DataView(frame.buffer);
  view.setUint32(0, MAGIC);
  view.setUint32(4, 1);
  view.setBigUint64(8, r.sequence);
  view.setUint32(16, r.payloadSize);
  view.setUint32(20, r.flags >>> 0);
  frame.set(r.tail.subarray(0, tailLength), 24);
  if (r.fixFcs && frame.length >= r.payloadSize + 28)
    setU32(frame, 24 + r.payloadSize, referenceCrc32(frame.subarray(0, 24 + r.payloadSize)));
  return frame;
}

/** Random bytes, half of them behind a valid magic and version so they reach the later checks. */
export const randomCaseArb: fc.Arbitrary<FrameCase> = fc
  .record({
    bytes: fc.oneof(fc.uint8Array({ maxLength: 32, size: "max" }), fc.uint8Array({ maxLength: 700, size: "max" })),
    prefixed: fc.boolean(),
    cuts: cutsArb,
    maxPayloadBytes: maxPayloadArb,
  })
  .map(({ bytes, prefixed, cuts, maxPayloadBytes }) => ({
    bytes: prefixed ? concatBytes(fromHex("4359585700000001"), bytes) : bytes,
    cuts,
    maxPayloadBytes,
  }));

/** A corpus entry for a case (the verdict the spec gives it, so the entry documents itself). */
export async function pinFrameCase(p: Primitives, c: FrameCase, name: string): Promise<PinnedFrameCase> {
  return {
    name,
    hex: toHex(c.bytes),
    cuts: [...c.cuts],
    ...(c.maxPayloadBytes === undefined ? {} : { maxPayloadBytes: c.maxPayloadBytes }),
    expect: await referenceVerdict(p, c.bytes, c.maxPayloadBytes ?? DEFAULT_MAX_PAYLOAD_BYTES),
  };
}

export function pinStreamCase(c: StreamCase, name: string): PinnedStreamCase {
  return {
    name,
    streamHex: toHex(c.stream),
    cuts: [...c.cuts],
    ...(c.maxPayloadBytes === undefined ? {} : { maxPayloadBytes: c.maxPayloadBytes }),
    expect: referenceSplit(c.stream, c.maxPayloadBytes ?? DEFAULT_MAX_PAYLOAD_BYTES),
  };
}
