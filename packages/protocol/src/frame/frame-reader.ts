import { ProtocolError } from "../errors/error-codes.js";
import { type DecodeOptions, decodeFrameHeader } from "./frame-codec.js";
import { FRAME_HEADER_BYTES, FRAME_OVERHEAD_BYTES } from "./frame-format.js";

/**
 * Splits a byte stream of concatenated CYXW frames (a packed `frames.cyxw` file, a socket) into
 * one buffer per frame, with memory bounded by the largest allowed frame. Each header is checked
 * (magic, version, flags, payload bound) before its payload is buffered, so a hostile
 * payload_size allocates nothing. The frames themselves are not verified here: pass each one to
 * `decodeFrame`.
 *
 * @throws ProtocolError with the header's failure code, or CYXW_ERR_TRUNCATED when the stream
 *   ends inside a frame.
 */
export async function* splitFrames(
  source: AsyncIterable<Uint8Array>,
  options: DecodeOptions = {},
): AsyncGenerator<Uint8Array, void, undefined> {
  const pending: Uint8Array[] = [];
  let buffered = 0;
  let offset = 0; // bytes of the stream before `pending`, for messages

  const take = (n: number): Uint8Array => {
    const out = new Uint8Array(n);
    let filled = 0;
    while (filled < n) {
      const head = pending[0]!;
      const want = n - filled;
      if (head.length <= want) {
        out.set(head, filled);
        filled += head.length;
        pending.shift();
      } else {
        out.set(head.subarray(0, want), filled);
        pending[0] = head.subarray(want);
        filled += want;
      }
    }
    buffered -= n;
    offset += n;
    return out;
  };
  const peekHeader = (): Uint8Array => {
    const first = pending[0]!;
    if (first.length >= FRAME_HEADER_BYTES) return first.subarray(0, FRAME_HEADER_BYTES);
    const merged = take(buffered);
    pending.length = 0;
    pending.push(merged);
    buffered = merged.length;
    offset -= merged.length;
    return merged.subarray(0, FRAME_HEADER_BYTES);
  };

  let need = -1; // total size of the frame being collected, or -1 while waiting for a header
  for await (const piece of source) {
    if (piece.length === 0) continue;
    pending.push(piece);
    buffered += piece.length;
    for (;;) {
      if (need < 0) {
        if (buffered < FRAME_HEADER_BYTES) break;
        const header = decodeFrameHeader(peekHeader(), options);
        if (!header.ok) {
          throw new ProtocolError(header.error.code, `${header.error.message} (at byte ${offset} of the stream)`);
        }
        need = header.value.payloadSize + FRAME_OVERHEAD_BYTES;
      }
      if (buffered < need) break;
      yield take(need);
      need = -1;
    }
  }
  if (buffered > 0) {
    throw new ProtocolError(
      "CYXW_ERR_TRUNCATED",
      `the stream ends ${buffered} bytes into a frame at byte ${offset}${need > 0 ? ` (the frame declares ${need} bytes)` : ""}`,
    );
  }
}
