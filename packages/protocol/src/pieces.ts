/**
 * Byte sequences held as pieces (a WebSocket message in its fragments, a sealed chunk as
 * ciphertext and tag) without joining them: lengths, views of ranges, and the one join.
 */

/** Total length of `pieces`. */
export function piecesLength(pieces: readonly Uint8Array[]): number {
  let n = 0;
  for (const p of pieces) n += p.length;
  return n;
}

/** Views of bytes [start, end) of the concatenation of `pieces` (no copy). */
export function slicePieces(pieces: readonly Uint8Array[], start: number, end: number): Uint8Array[] {
  const out: Uint8Array[] = [];
  let at = 0;
  for (const p of pieces) {
    const from = Math.max(start, at);
    const to = Math.min(end, at + p.length);
    if (from < to) out.push(p.subarray(from - at, to - at));
    at += p.length;
    if (at >= end) break;
  }
  return out;
}

/** The concatenation of `pieces` as one buffer (the only piece itself when there is one). */
export function joinPieces(pieces: readonly Uint8Array[]): Uint8Array {
  return pieces.length === 1 ? pieces[0]! : copyPieces(pieces);
}

/** The concatenation of `pieces` as a new buffer: a copy even when there is one piece. */
export function copyPieces(pieces: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(piecesLength(pieces));
  copyPiecesInto(pieces, out);
  return out;
}

/**
 * Copies the concatenation of `pieces` to the start of `into`, which must be long enough.
 * @returns the number of bytes copied.
 * @throws RangeError when `into` is shorter than the pieces.
 */
export function copyPiecesInto(pieces: readonly Uint8Array[], into: Uint8Array): number {
  let at = 0;
  for (const p of pieces) {
    into.set(p, at);
    at += p.length;
  }
  return at;
}
