import { loadPrimitives } from "@cyxwiz/protocol/primitives";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { joinPieces, slicePieces } from "../pieces.js";
import { decodeFrame, decodeFramePieces, encodeFrame } from "./frame-codec.js";
import { KNOWN_FLAGS } from "./frame-format.js";

const p = await loadPrimitives();

/** Cuts `bytes` at the given (sorted, deduplicated) offsets. */
const cut = (bytes: Uint8Array, at: number[]) => {
  const points = [...new Set(at.map((a) => a % (bytes.length + 1)))].sort((x, y) => x - y);
  const out: Uint8Array[] = [];
  let from = 0;
  for (const to of [...points, bytes.length]) {
    out.push(bytes.subarray(from, to));
    from = to;
  }
  return out;
};

describe("decodeFramePieces", () => {
  it("decodes a frame cut anywhere exactly as decodeFrame decodes it whole, damaged or not", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.uint8Array({ maxLength: 600 }),
        fc.integer({ min: 0, max: KNOWN_FLAGS }),
        fc.array(fc.nat(), { maxLength: 6 }),
        fc.option(fc.nat()),
        fc.option(fc.integer({ min: -40, max: 40 })),
        async (payload, flags, cuts, flip, resize) => {
          let frame = await encodeFrame(p, { sequence: 7, flags, payload });
          if (flip !== null) {
            frame = frame.slice();
            frame[flip % frame.length]! ^= 1 << (flip % 8);
          }
          if (resize !== null) {
            const n = Math.max(0, frame.length + resize);
            const resized = new Uint8Array(n);
            resized.set(frame.subarray(0, Math.min(n, frame.length)));
            frame = resized;
          }
          const whole = await decodeFrame(p, frame);
          const pieces = await decodeFramePieces(p, cut(frame, cuts));
          expect(pieces.ok).toBe(whole.ok);
          if (whole.ok && pieces.ok) {
            expect(joinPieces(pieces.value.payload)).toEqual(whole.value.payload);
            expect(pieces.value.checksum).toEqual(whole.value.checksum);
            expect(pieces.value.sequence).toBe(whole.value.sequence);
            expect(pieces.value.flags).toBe(whole.value.flags);
          } else if (!whole.ok && !pieces.ok) {
            expect(pieces.error).toEqual(whole.error);
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it("returns the payload as views of the pieces, not a copy", async () => {
    const payload = new Uint8Array(1000).map((_, i) => i);
    const frame = await encodeFrame(p, { sequence: 1, flags: 0, payload });
    const pieces = [frame.subarray(0, 10), frame.subarray(10, 500), frame.subarray(500)];
    const r = await decodeFramePieces(p, pieces);
    if (!r.ok) throw new Error(r.error.message);
    for (const view of r.value.payload) expect(view.buffer).toBe(frame.buffer);
    expect(slicePieces(pieces, 24, 1024).map((v) => v.length)).toEqual([476, 524]);
  });
});
