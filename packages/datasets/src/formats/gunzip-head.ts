import { Gunzip } from "fflate";

/** The first inflated bytes of a gzip stream's head (what detection looks at), or undefined if it does not inflate. */
export function gunzipHead(head: Uint8Array): Uint8Array | undefined {
  const parts: Uint8Array[] = [];
  try {
    const g = new Gunzip((chunk) => {
      parts.push(chunk);
    });
    g.push(head, false);
  } catch {
    return undefined;
  }
  const total = parts.reduce((a, p) => a + p.length, 0);
  if (total === 0) return undefined;
  const out = new Uint8Array(total);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}
