export { copyPiecesInto, joinPieces, piecesLength, slicePieces } from "../pieces.js";
export type { DecodeOptions, FrameInput, FrameParts } from "./frame-codec.js";
export {
  decodeFrame,
  decodeFrameHeader,
  decodeFramePieces,
  encodeFrame,
  encodeFrameParts,
  equalDigests,
} from "./frame-codec.js";
export type { Frame, FrameHeader, FrameInPieces } from "./frame-format.js";
export {
  DEFAULT_MAX_PAYLOAD_BYTES,
  describeFlags,
  FRAME_HEADER_BYTES,
  FRAME_MAGIC,
  FRAME_OVERHEAD_BYTES,
  FRAME_TRAILER_BYTES,
  FRAME_VERSION,
  FrameFlag,
  KNOWN_FLAGS,
  MAX_SEQUENCE,
} from "./frame-format.js";
export { splitFrames } from "./frame-reader.js";
