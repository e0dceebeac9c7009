import { failure, type ProtocolFailure } from "../errors/error-codes.js";
import { joinPieces, piecesLength, slicePieces } from "../pieces.js";
import { crc32Combine } from "../primitives/crc32-combine.js";
import type { Primitives } from "../primitives/primitives.js";
import { err, ok, type Result } from "../result.js";
import {
  DEFAULT_MAX_PAYLOAD_BYTES,
  describeFlags,
  FRAME_HEADER_BYTES,
  FRAME_MAGIC,
  FRAME_OVERHEAD_BYTES,
  FRAME_TRAILER_BYTES,
  FRAME_VERSION,
  type Frame,
  type FrameHeader,
  type FrameInPieces,
  KNOWN_FLAGS,
  MAX_SEQUENCE,
} from "./frame-format.js";

/** What to put in a frame. */
export interface FrameInput {
  readonly sequence: bigint | number;
  readonly flags: number;
  /** The payload, or pieces of it that written back to back are the payload (never joined by encodeFrameParts). */
  readonly payload: Uint8Array | readonly Uint8Array[];
  /**
   * SHA-256 of `payload` when the caller already has it (the chunker computed it for the Merkle
   * leaf), so the payload is hashed once, not twice. It is trusted: pass only a digest of these
   * exact bytes.
   */
  readonly checksum?: Uint8Array;
  /**
   * CRC-32 of the payload when the caller already has it (a sealing worker computed it), so the
   * FCS is the header's CRC combined with it (crc32Combine) instead of a pass over the payload.
   * Trusted like `checksum`.
   */
  readonly payloadCrc?: number;
}

export interface DecodeOptions {
  /** Frames declaring a larger payload are rejected before anything is allocated. */
  readonly maxPayloadBytes?: number;
}

/** A frame as three pieces that, written back to back, are the frame: no copy of the payload. */
export interface FrameParts {
  /** The 24-byte header. */
  readonly header: Uint8Array;
  /** The payload's pieces (the caller's buffers, not copies; one piece when it gave one buffer). */
  readonly payload: readonly Uint8Array[];
  /** The 36-byte trailer: FCS and checksum. */
  readonly trailer: Uint8Array;
}

/**
 * Encodes one CYXW frame (seed §4.2) as header, payload and trailer without copying the payload,
 * for writers that can send pieces (a file's `writev`, a socket's corked writes). A 4 MiB copy is
 * ~10% of a chunk's whole ingest cost in Node (bench/results).
 *
 * @throws RangeError for a sequence outside 0..2^64-1, unknown flag bits, or a payload over 4 GiB.
 */
export async function encodeFrameParts(primitives: Primitives, input: FrameInput): Promise<FrameParts> {
  const sequence = BigInt(input.sequence);
  if (sequence < 0n || sequence > MAX_SEQUENCE)
    throw new RangeError(`frame sequence must be 0..2^64-1, got ${sequence}`);
  if ((input.flags & ~KNOWN_FLAGS) !== 0 || input.flags < 0) {
    throw new RangeError(`frame flags ${describeFlags(input.flags)} include bits protocol version 1 does not define`);
  }
  const pieces: readonly Uint8Array[] = input.payload instanceof Uint8Array ? [input.payload] : input.payload;
  const n = piecesLength(pieces);
  if (n > 0xffff_ffff - FRAME_OVERHEAD_BYTES)
    throw new RangeError(`frame payload of ${n} bytes does not fit a u32 size`);
  if (input.checksum !== undefined && input.checksum.length !== 32) {
    throw new RangeError(`frame checksum must be 32 bytes, got ${input.checksum.length}`);
  }
  const checksum = input.checksum ?? (await sha256Of(primitives, pieces));
  const header = new Uint8Array(FRAME_HEADER_BYTES);
  const view = new DataView(header.buffer);
  view.setUint32(0, FRAME_MAGIC);
  view.setUint32(4, FRAME_VERSION);
  view.setBigUint64(8, sequence);
  view.setUint32(16, n);
  view.setUint32(20, input.flags);
  const trailer = new Uint8Array(FRAME_TRAILER_BYTES);
  const fcs =
    input.payloadCrc === undefined
      ? primitives.crc32(header, ...pieces)
      : crc32Combine(primitives.crc32(header), input.payloadCrc, n);
  new DataView(trailer.buffer).setUint32(0, fcs);
  trailer.set(checksum, 4);
  return { header, payload: pieces, trailer };
}

async function sha256Of(primitives: Primitives, pieces: readonly Uint8Array[]): Promise<Uint8Array> {
  if (pieces.length === 1) return primitives.sha256(pieces[0]!);
  const h = await primitives.createSha256();
  for (const piece of pieces) h.update(piece);
  return h.digest();
}

/**
 * Encodes one CYXW frame (seed §4.2) into a single buffer: header, payload, FCS, checksum (one
 * WebSocket message).
 *
 * With `into` large enough, the frame is written there (a view of it is returned) instead of a
 * fresh buffer: a sender whose socket copies on send reuses one buffer for every frame.
 *
 * @throws RangeError for a sequence outside 0..2^64-1, unknown flag bits, or a payload over 4 GiB.
 * @example
 * const frame = await encodeFrame(primitives, { sequence: 0, flags: FrameFlag.LAST_FRAME, payload });
 */
export async function encodeFrame(primitives: Primitives, input: FrameInput, into?: Uint8Array): Promise<Uint8Array> {
  const { header, payload, trailer } = await encodeFrameParts(primitives, input);
  const size = piecesLength(payload) + FRAME_OVERHEAD_BYTES;
  const out = into !== undefined && into.length >= size ? into.subarray(0, size) : new Uint8Array(size);
  out.set(header, 0);
  let at = FRAME_HEADER_BYTES;
  for (const piece of payload) {
    out.set(piece, at);
    at += piece.length;
  }
  out.set(trailer, at);
  return out;
}

/**
 * Reads and checks a frame header: length, magic, version, flags and the payload bound, all
 * before any allocation (a hostile payload_size costs nothing).
 */
export function decodeFrameHeader(
  bytes: Uint8Array,
  options: DecodeOptions = {},
): Result<FrameHeader, ProtocolFailure> {
  const max = options.maxPayloadBytes ?? DEFAULT_MAX_PAYLOAD_BYTES;
  if (bytes.length < FRAME_HEADER_BYTES) {
    return err(
      failure(
        "CYXW_ERR_TRUNCATED",
        `frame has ${bytes.length} bytes, fewer than the ${FRAME_HEADER_BYTES}-byte header`,
      ),
    );
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const magic = view.getUint32(0);
  if (magic !== FRAME_MAGIC) {
    return err(
      failure(
        "CYXW_ERR_MAGIC",
        `frame magic is 0x${magic.toString(16).padStart(8, "0")}, expected 0x43595857 ("CYXW")`,
      ),
    );
  }
  const version = view.getUint32(4);
  if (version !== FRAME_VERSION) {
    return err(failure("CYXW_ERR_VERSION", `frame version is ${version}; this build speaks version ${FRAME_VERSION}`));
  }
  const sequence = view.getBigUint64(8);
  const payloadSize = view.getUint32(16);
  const flags = view.getUint32(20);
  if ((flags & ~KNOWN_FLAGS) !== 0) {
    return err(
      failure("CYXW_ERR_UNKNOWN_FLAGS", `frame ${sequence} sets undefined flag bits (${describeFlags(flags)})`),
    );
  }
  if (payloadSize > max) {
    return err(
      failure(
        "CYXW_ERR_PAYLOAD_TOO_LARGE",
        `frame ${sequence} declares a ${payloadSize}-byte payload; the limit is ${max}`,
      ),
    );
  }
  return ok({ version, sequence, payloadSize, flags });
}

/**
 * Decodes a CYXW frame that arrived in pieces (a WebSocket message in its fragments) and verifies
 * it without joining the payload: header checks, exact length, FCS (CRC-32 over header +
 * payload), then SHA-256 of the payload (seed §5.4 steps 1 and 2). FCS and SHA-256 run over the
 * pieces, and the payload comes back as views of them; only the 24-byte header and the 36-byte
 * trailer are copied, and only when a cut falls inside them. A gateway saves a copy and a fresh
 * buffer of the frame's size for every chunk. This is the one implementation of the checks:
 * {@link decodeFrame} is this over a single buffer. Never throws for bad bytes: every failure is
 * a typed result whose code maps to an AckStatus.
 */
export async function decodeFramePieces(
  primitives: Primitives,
  pieces: readonly Uint8Array[],
  options: DecodeOptions = {},
): Promise<Result<FrameInPieces, ProtocolFailure>> {
  const total = piecesLength(pieces);
  const header = decodeFrameHeader(gather(pieces, 0, Math.min(FRAME_HEADER_BYTES, total)), options);
  if (!header.ok) return header;
  const { sequence, payloadSize } = header.value;
  const expected = payloadSize + FRAME_OVERHEAD_BYTES;
  if (total < expected) {
    return err(failure("CYXW_ERR_TRUNCATED", `frame ${sequence} has ${total} bytes; its header declares ${expected}`));
  }
  if (total > expected) {
    return err(
      failure("CYXW_ERR_TRAILING_BYTES", `frame ${sequence} is followed by ${total - expected} unexpected bytes`),
    );
  }
  const trailerAt = FRAME_HEADER_BYTES + payloadSize;
  const trailer = gather(pieces, trailerAt, expected);
  const fcs = new DataView(trailer.buffer, trailer.byteOffset, trailer.byteLength).getUint32(0);
  const computedFcs = primitives.crc32(...slicePieces(pieces, 0, trailerAt));
  if (computedFcs !== fcs) {
    return err(failure("CYXW_ERR_FCS", `frame ${sequence}: FCS is 0x${hex32(fcs)}, computed 0x${hex32(computedFcs)}`));
  }
  const payload = slicePieces(pieces, FRAME_HEADER_BYTES, trailerAt);
  // A copy (32 bytes), so the checksum outlives the caller's buffers, which a gateway reuses.
  const checksum = trailer.slice(4, FRAME_TRAILER_BYTES);
  if (!equalDigests(await sha256Of(primitives, payload), checksum)) {
    return err(
      failure("CYXW_ERR_CHECKSUM", `frame ${sequence}: the payload's SHA-256 does not match the frame's checksum`),
    );
  }
  return ok({ ...header.value, payload, fcs, checksum });
}

/**
 * Decodes one complete frame (one WebSocket message) and verifies it: {@link decodeFramePieces}
 * over `[bytes]`, same checks and failures. The payload is a view of `bytes`, not a copy.
 */
export async function decodeFrame(
  primitives: Primitives,
  bytes: Uint8Array,
  options: DecodeOptions = {},
): Promise<Result<Frame, ProtocolFailure>> {
  const decoded = await decodeFramePieces(primitives, [bytes], options);
  if (!decoded.ok) return decoded;
  const payload = bytes.subarray(FRAME_HEADER_BYTES, FRAME_HEADER_BYTES + decoded.value.payloadSize);
  return ok({ ...decoded.value, payload });
}

/** Bytes [start, end) of the pieces as one buffer: a view when one piece holds them, else a copy (small ranges only). */
function gather(pieces: readonly Uint8Array[], start: number, end: number): Uint8Array {
  const parts = slicePieces(pieces, start, end);
  return parts.length === 1 ? parts[0]! : joinPieces(parts);
}

function hex32(n: number): string {
  return (n >>> 0).toString(16).padStart(8, "0");
}

/** Constant-time comparison of two digests (STYLE §11). */
export function equalDigests(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i]! ^ b[i]!;
  return diff === 0;
}
