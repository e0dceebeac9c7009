import type { ByteSource } from "@cyxwiz/protocol/chunk";

/**
 * A ByteSource over packed chunks held in memory, one after another: what the chunker and the
 * upload session read a dataset of samples from. They read chunk i as (offsetOf(i),
 * plainSizeOf(i)), so a read lands on one chunk and is answered with it, uncopied; a read across
 * chunks (never made by them) is assembled.
 */
export function chunkListSource(chunks: readonly Uint8Array[]): ByteSource {
  const offsets: number[] = [];
  let size = 0;
  for (const c of chunks) {
    offsets.push(size);
    size += c.length;
  }
  const chunkAt = (offset: number): number => {
    let lo = 0;
    let hi = chunks.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (offsets[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  };
  return {
    size,
    async read(offset, length) {
      const end = Math.min(size, offset + length);
      if (offset >= end) return new Uint8Array(0);
      let i = chunkAt(offset);
      const first = chunks[i]!;
      const start = offset - offsets[i]!;
      if (start + (end - offset) <= first.length) return first.subarray(start, start + (end - offset));
      const out = new Uint8Array(end - offset);
      let at = 0;
      let from = start;
      while (at < out.length) {
        const piece = chunks[i]!.subarray(from, from + (out.length - at));
        out.set(piece, at);
        at += piece.length;
        from = 0;
        i++;
      }
      return out;
    },
  };
}
