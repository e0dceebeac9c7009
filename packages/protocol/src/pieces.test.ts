import { describe, expect, it } from "vitest";
import { copyPieces, copyPiecesInto, joinPieces, piecesLength } from "./pieces.js";

const pieces = [Uint8Array.of(1, 2), Uint8Array.of(), Uint8Array.of(3, 4, 5)];

describe("pieces", () => {
  it("copies the concatenation into the start of a longer buffer and says how much it copied", () => {
    const into = new Uint8Array(8).fill(9);
    expect(copyPiecesInto(pieces, into)).toBe(piecesLength(pieces));
    expect([...into]).toEqual([1, 2, 3, 4, 5, 9, 9, 9]);
    expect(() => copyPiecesInto(pieces, new Uint8Array(4))).toThrow(RangeError);
  });

  it("copyPieces always makes a new buffer; joinPieces returns a lone piece itself", () => {
    const lone = [Uint8Array.of(7, 8)];
    expect(joinPieces(lone)).toBe(lone[0]);
    const copy = copyPieces(lone);
    expect(copy).not.toBe(lone[0]);
    expect([...copy]).toEqual([7, 8]);
    expect([...joinPieces(pieces)]).toEqual([1, 2, 3, 4, 5]);
  });
});
