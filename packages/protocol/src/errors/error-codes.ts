import { AckStatus } from "../gen/cyxwiz/data/v1/data_transfer_pb.js";

/**
 * The catalogue of stable error codes (STYLE §8). Every failure the protocol reports carries one
 * of these codes; docs/errors.md documents each one, and a test checks the two agree. `ack` is
 * the seed's AckStatus a receiver answers with (seed §5.2); `undefined` where the failure is not
 * about one received frame.
 */
export const ERROR_CODES = {
  CYXW_ERR_TRUNCATED: {
    ack: AckStatus.ACK_FCS_ERROR,
    summary: "The frame is shorter than its header and trailer, or than its declared payload.",
  },
  CYXW_ERR_TRAILING_BYTES: {
    ack: AckStatus.ACK_FCS_ERROR,
    summary: "The message holds bytes after the frame's trailer.",
  },
  CYXW_ERR_MAGIC: {
    ack: AckStatus.ACK_FCS_ERROR,
    summary: 'The frame does not start with the magic 0x43595857 ("CYXW").',
  },
  CYXW_ERR_VERSION: {
    ack: AckStatus.ACK_FCS_ERROR,
    summary: "The frame's protocol version is not one this build speaks (1).",
  },
  CYXW_ERR_PAYLOAD_TOO_LARGE: {
    ack: AckStatus.ACK_FCS_ERROR,
    summary: "The declared payload_size exceeds the receiver's bound; rejected before any allocation.",
  },
  CYXW_ERR_UNKNOWN_FLAGS: {
    ack: AckStatus.ACK_FCS_ERROR,
    summary: "The frame sets flag bits this protocol version does not define.",
  },
  CYXW_ERR_FCS: {
    ack: AckStatus.ACK_FCS_ERROR,
    summary: "The CRC-32 over header and payload does not match the frame's FCS.",
  },
  CYXW_ERR_CHECKSUM: {
    ack: AckStatus.ACK_CHECKSUM_MISMATCH,
    summary: "The SHA-256 of the payload does not match the frame's checksum.",
  },
  CYXW_ERR_OUT_OF_ORDER: {
    ack: AckStatus.ACK_OUT_OF_ORDER,
    summary:
      "The frame's sequence is beyond the receiver's reorder window (or beyond the last chunk); send it again later.",
  },
  CYXW_ERR_DUPLICATE: {
    ack: AckStatus.ACK_DUPLICATE,
    summary: "The frame's sequence was already accepted (a duplicate or a replay); it was discarded.",
  },
  CYXW_ERR_FLAGS_MISMATCH: {
    ack: AckStatus.ACK_CHECKSUM_MISMATCH,
    summary: "The frame's flags (ENCRYPTED, COMPRESSED, LAST_FRAME) disagree with the declared manifest.",
  },
  CYXW_ERR_CHUNK_SIZE: {
    ack: AckStatus.ACK_CHECKSUM_MISMATCH,
    summary:
      "The chunk's stored size is not one its declared place allows (chunk size, total size, compression, encryption); refused before it is hashed or stored.",
  },
  CYXW_ERR_MERKLE_PROOF: {
    ack: AckStatus.ACK_CHECKSUM_MISMATCH,
    summary:
      "The chunk's digest is not the leaf the declared Merkle root commits to at that index (data tampered or misplaced).",
  },
  CYXW_ERR_DECRYPT: {
    ack: AckStatus.ACK_DECRYPT_ERROR,
    summary:
      "The chunk did not authenticate under the dataset key at its index and position (wrong key, or reordered, spliced or truncated data).",
  },
  CYXW_ERR_DECOMPRESS: {
    ack: AckStatus.ACK_DECRYPT_ERROR,
    summary: "The chunk did not decompress to exactly its declared size (corrupt data or a decompression bomb).",
  },
  CYXW_ERR_WRONG_KEY: {
    ack: undefined,
    summary: "The key given does not match the manifest's key check: it is not this dataset's key.",
  },
  CYXW_ERR_MANIFEST: {
    ack: undefined,
    summary: "The manifest is malformed or inconsistent (sizes, counts, digests or Merkle root disagree).",
  },
  CYXW_ERR_SIGNATURE: { ack: undefined, summary: "A signature does not verify under the claimed Ed25519 public key." },
  CYXW_ERR_KEY_UNWRAP: {
    ack: undefined,
    summary: "A wrapped dataset key could not be unwrapped with this recipient's key.",
  },
  CYXW_ERR_BAD_KEY: {
    ack: undefined,
    summary: "A public key is malformed or of low order, so no shared secret can be derived from it.",
  },
  CYXW_ERR_INCOMPLETE: { ack: undefined, summary: "The data ended before every chunk the manifest declares was seen." },
  CYXW_ERR_POLICY: {
    ack: undefined,
    summary:
      "A data policy is malformed or looser than its classification allows (docs/data-policy.md); the message names the field.",
  },
  CYXW_ERR_POLICY_VIOLATION: {
    ack: undefined,
    summary:
      "The data as stored breaks the policy asked for: unencrypted data at a level that requires encryption, an escrowed key where escrow is not allowed.",
  },
  // The gateway's reasons for closing a frames socket (src/frames-endpoint gives each its close code).
  CYXW_ERR_AUTH: {
    ack: undefined,
    summary: "Frames socket closed with 1008: the bearer token is missing, malformed, expired or revoked.",
  },
  CYXW_ERR_TRANSFER: {
    ack: undefined,
    summary:
      "Frames socket closed with 1008: no such transfer for this caller, or it is no longer pending or in progress.",
  },
  CYXW_ERR_FRAME: {
    ack: undefined,
    summary: "Frames socket closed with 1003: a text message arrived; only binary CYXW frames are accepted.",
  },
  CYXW_ERR_WINDOW: {
    ack: undefined,
    summary: "Frames socket closed with 1008: far more frames are unacknowledged than the window allows.",
  },
  CYXW_ERR_STORE: {
    ack: undefined,
    summary: "Frames socket closed with 1011: the gateway could not store a chunk; retry later.",
  },
} as const satisfies Record<string, { ack: AckStatus | undefined; summary: string }>;

export type ErrorCode = keyof typeof ERROR_CODES;

/** An expected failure, as data: a stable code and a message naming what was wrong. */
export interface ProtocolFailure {
  readonly code: ErrorCode;
  readonly message: string;
}

/**
 * The thrown form of a ProtocolFailure, for APIs that cannot return a result (streams). Detect it
 * by `name` (STYLE §10): `err.name === "ProtocolError"`.
 */
export class ProtocolError extends Error {
  override readonly name = "ProtocolError";
  readonly code: ErrorCode;
  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(`${code}: ${message}`, options);
    this.code = code;
  }
  static from(failure: ProtocolFailure): ProtocolError {
    return new ProtocolError(failure.code, failure.message);
  }
}

/** True for a ProtocolError from any copy of this package. */
export function isProtocolError(e: unknown): e is ProtocolError {
  return typeof e === "object" && e !== null && (e as { name?: unknown }).name === "ProtocolError";
}

/** The seed's AckStatus for a failure, or undefined when it is not a per-frame failure. */
export function ackStatusOf(code: ErrorCode): AckStatus | undefined {
  return ERROR_CODES[code].ack;
}

export function failure(code: ErrorCode, message: string): ProtocolFailure {
  return { code, message };
}
