import { hex, type Output } from "../output.js";
import { replayPack } from "./replay-pack.js";

/** `cyxwiz verify <dir> [--key-file <path>]`: re-checks every frame; exit 1 names the first bad one. */
export async function verifyCommand(dir: string, opts: { keyFile?: string }, out: Output): Promise<void> {
  const r = await replayPack(dir, opts.keyFile, async () => {}, "verify");
  const meta = r.manifest.metadata!;
  const checks = r.decrypted
    ? "FCS, SHA-256, sequence, Merkle proof, decryption"
    : "FCS, SHA-256, sequence, Merkle proof";
  out.result(
    {
      ok: true,
      dir,
      frames: r.framesChecked,
      merkleRoot: hex(meta.merkleRoot),
      decrypted: r.decrypted,
      totalSize: Number(meta.totalSize),
    },
    `ok: ${r.framesChecked} frames of ${dir} verified (${checks})\nmerkle root ${hex(meta.merkleRoot)}`,
  );
  if (r.manifest.cipher !== undefined && !r.decrypted)
    out.note("note: the chunks are encrypted and no --key-file was given, so they were not decrypted");
}
