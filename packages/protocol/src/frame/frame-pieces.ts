import { failure, type ProtocolFailure } from "../errors/error-codes.js";
import { joinPieces, piecesLength, slicePieces } from "../pieces.js";
import type { Primitives } from "../primitives/primitives.js";
import { err, ok, type Result } from "../result.js";
import { type DecodeOptions, decodeFrame, decodeFrameHeader, equalDigests } from "./frame-codec.js";
import { FRAME_HEADER_BYTES, FRAME_OVERHEAD_BYTES, FRAME_TRAILER_BYTES, type FrameHeader } from "./frame-format.js";

/** A decoded frame whose payload is still the pieces it arrived in (views, never copies). */
export interface FrameInPieces extends FrameHeader {
  readonly payload: readonly Uint8Array[];
  readonly fcs: number;
  readonly checksum: Uint8Array;
}

/** Bytes [start, end) as one buffer: a view when one piece holds them, else a copy (small ranges only). */
function gather(pieces: readonly Uint8Array[], start: number, end: number): Uint8Array {
  const parts = slicePieces(pieces, start, end);
  if (parts.length === 1) return parts[0]!;
  return joinPieces(parts);
}

/**
 * Decodes a CYXW frame that arrived in pieces (a WebSocket message in its fragments) exactly as
 * {@link decodeFrame} decodes it whole — same checks, same failures — without joining the
 * payload: FCS and SHA-256 run over the pieces, and the payload comes back as views of them. A
 * gateway saves a copy and a fresh buffer of the frame's size for every chunk.
 */
export async function decodeFramePieces(
  primitives: Primitives,
  pieces: readonly Uint8Array[],
  options: DecodeOptions = {},
): Promise<Result<FrameInPieces, ProtocolFailure>> {
  if (pieces.length === 1) {
    const whole = await decodeFrame(primitives, pieces[0]!, options);
    return whole.ok ? ok({ ...whole.value, payload: [whole.value.payload] }) : whole;
  }
  const total = piecesLength(pieces);
  const headerBytes = gather(pieces, 0, Math.min(FRAME_HEADER_BYTES, total));
  const header = decodeFrameHeader(headerBytes, options);
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
  const trailer = gather(pieces, trailerAt, trailerAt + FRAME_TRAILER_BYTES);
  const fcs = new DataView(trailer.buffer, trailer.byteOffset, trailer.byteLength).getUint32(0);
  const payload = slicePieces(pieces, FRAME_HEADER_BYTES, trailerAt);
  const computedFcs = primitives.crc32(headerBytes, ...payload);
  if (computedFcs !== fcs) {
    const hex32 = (n: number) => (n >>> 0).toString(16).padStart(8, "0");
    return err(failure("CYXW_ERR_FCS", `frame ${sequence}: FCS is 0x${hex32(fcs)}, computed 0x${hex32(computedFcs)}`));
  }
  const checksum = trailer.slice(4, FRAME_TRAILER_BYTES);
  const sha = await primitives.createSha256();
  for (const p of payload) sha.update(p);
  if (!equalDigests(sha.digest(), checksum)) {
    return err(
      failure("CYXW_ERR_CHECKSUM", `frame ${sequence}: the payload's SHA-256 does not match the frame's checksum`),
    );
  }
  return ok({ ...header.value, payload, fcs, checksum });
}
