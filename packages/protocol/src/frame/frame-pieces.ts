/**
 * The pieces decoder, under the name the chunk receiver and the fuzz support import it by. The
 * implementation is in frame-codec.ts, beside decodeFrame, which is the same decoder over one
 * buffer (one set of checks for both).
 */

export { decodeFramePieces } from "./frame-codec.js";
export type { FrameInPieces } from "./frame-format.js";
