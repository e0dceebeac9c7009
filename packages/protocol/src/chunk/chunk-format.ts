import { DEFAULT_MAX_PAYLOAD_BYTES } from "../frame/frame-format.js";
import { joinPieces } from "../pieces.js";

/** 4 MiB, the default chunk size (ARCHITECTURE §4). */
export const DEFAULT_CHUNK_SIZE = 4 * 1024 * 1024;
/** Chunks must leave room in a frame for codec expansion and the 16-byte GCM tag. */
export const MAX_CHUNK_SIZE = DEFAULT_MAX_PAYLOAD_BYTES - 64 * 1024;

/** One chunk, ready to store or frame. */
export interface PackedChunk {
  readonly index: number;
  readonly last: boolean;
  /** Plaintext bytes before compression and encryption. */
  readonly plainSize: number;
  /** Whether `stored` is compressed. */
  readonly compressed: boolean;
  /**
   * The bytes as stored and sent (compressed?, then encrypted?), as pieces that written back to
   * back are the chunk: ciphertext and GCM tag stay apart so that sealing copies nothing. Join
   * them with {@link storedBytes} where one buffer is needed.
   */
  readonly storedParts: readonly Uint8Array[];
  /** Total length of `storedParts`. */
  readonly storedSize: number;
  /** CRC-32 of the stored bytes when sealing computed it (a sealing pool does), for the frame's FCS. */
  readonly storedCrc?: number;
  /** SHA-256 of `stored`: the Merkle leaf's input and the frame checksum. */
  readonly digest: Uint8Array;
  /** Frame flags for this chunk: COMPRESSED, ENCRYPTED, LAST_FRAME as they apply. */
  readonly flags: number;
}

/** A chunk's stored bytes as one buffer: the only piece itself, or the pieces joined. */
export function storedBytes(chunk: Pick<PackedChunk, "storedParts">): Uint8Array {
  return joinPieces(chunk.storedParts);
}
