/**
 * The CYXW frame layout, byte for byte from the seed (§4.2 DataFrame, §5.1) and ARCHITECTURE §3.
 * All integers are big-endian (network order).
 *
 * ```
 * offset size field
 * 0      4    magic         0x43595857 ("CYXW")
 * 4      4    version       1
 * 8      8    sequence      per transfer: the chunk index (docs/wire-format.md)
 * 16     4    payload_size  bytes of payload, bounded by the receiver
 * 20     4    flags         FrameFlag bits; unknown bits are rejected
 * 24     n    payload
 * 24+n   4    fcs           CRC-32 (IEEE 802.3) of header + payload
 * 28+n   32   checksum      SHA-256 of payload
 * ```
 */
export const FRAME_MAGIC = 0x43595857;
export const FRAME_VERSION = 1;
export const FRAME_HEADER_BYTES = 24;
export const FRAME_TRAILER_BYTES = 36;
/** Header plus trailer: a frame is always payload_size + 60 bytes. */
export const FRAME_OVERHEAD_BYTES = FRAME_HEADER_BYTES + FRAME_TRAILER_BYTES;

/** Frame flag bits (seed §4.2 DataFrame::Flags). */
export const FrameFlag = {
  COMPRESSED: 0x01,
  ENCRYPTED: 0x02,
  LAST_FRAME: 0x04,
  REQUIRES_ACK: 0x08,
  RETRANSMIT: 0x10,
} as const;

/** Every flag bit protocol version 1 defines; any other bit makes a frame invalid. */
export const KNOWN_FLAGS = 0x1f;

/** 16 MiB: a 4 MiB default chunk with room for larger configured chunks and codec overhead. */
export const DEFAULT_MAX_PAYLOAD_BYTES = 16 * 1024 * 1024;

/** Largest sequence a frame can carry (u64). Chunk frames use the chunk index, a u32. */
export const MAX_SEQUENCE = 0xffff_ffff_ffff_ffffn;

/** The fixed-size fields of a frame. */
export interface FrameHeader {
  readonly version: number;
  readonly sequence: bigint;
  readonly payloadSize: number;
  readonly flags: number;
}

/** A decoded frame whose FCS and checksum have been verified. `payload` is a view, not a copy. */
export interface Frame extends FrameHeader {
  readonly payload: Uint8Array;
  readonly fcs: number;
  readonly checksum: Uint8Array;
}

/** A decoded frame whose payload is still the pieces it arrived in (views, never copies). */
export interface FrameInPieces extends FrameHeader {
  readonly payload: readonly Uint8Array[];
  readonly fcs: number;
  readonly checksum: Uint8Array;
}

/** Names of the flags set in `flags`, for messages and logs. */
export function describeFlags(flags: number): string {
  const names = Object.entries(FrameFlag)
    .filter(([, bit]) => (flags & bit) !== 0)
    .map(([name]) => name);
  const unknown = flags & ~KNOWN_FLAGS;
  if (unknown !== 0) names.push(`0x${(unknown >>> 0).toString(16)}`);
  return names.length === 0 ? "none" : names.join("|");
}
