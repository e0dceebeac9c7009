import { once } from "node:events";
import { createWriteStream } from "node:fs";
import { rename, rm, writeFile } from "node:fs/promises";
import { arrowFileOfTables } from "@cyxwiz/datasets/pack";
import { badInput } from "../exit-codes.js";
import { hex, type Output } from "../output.js";
import { readManifest } from "../pack-dir.js";
import { readSamplePack } from "../sample-pack.js";
import { replayPack } from "./replay-pack.js";

/**
 * `cyxwiz unpack <dir> --out <file> [--key-file <path>]`: verifies every frame and restores the
 * original bytes; a pack of samples (manifest format_version 2) is restored as its Arrow data,
 * one Arrow IPC file of every chunk's record batches (docs/dataset-formats.md "CLI"). Output goes
 * to a temporary file renamed into place only when everything verified, so a bad pack never
 * leaves a file that looks good.
 */
export async function unpackCommand(dir: string, opts: { out: string; keyFile?: string }, out: Output): Promise<void> {
  const manifest = await readManifest(dir);
  if (manifest.cipher !== undefined && opts.keyFile === undefined)
    throw badInput("this dataset is encrypted: pass --key-file <path> with its dataset key");
  if (manifest.samples !== undefined) return unpackSamples(dir, opts, out);
  const tmp = `${opts.out}.cyxwiz-partial`;
  const sink = createWriteStream(tmp, { mode: 0o600 });
  let written = 0;
  try {
    const r = await replayPack(
      dir,
      opts.keyFile,
      async (chunk) => {
        if (chunk.plaintext === undefined) throw new Error(`chunk ${chunk.index} has no plaintext`);
        written += chunk.plaintext.length;
        if (!sink.write(chunk.plaintext)) await once(sink, "drain");
      },
      "unpack",
    );
    sink.end();
    await once(sink, "finish");
    await rename(tmp, opts.out);
    out.result(
      { ok: true, dir, out: opts.out, bytes: written, merkleRoot: hex(r.manifest.metadata!.merkleRoot) },
      `ok: restored ${written} bytes to ${opts.out} (every frame verified)`,
    );
  } catch (e) {
    sink.destroy();
    await rm(tmp, { force: true });
    throw e;
  }
}

/** A pack of samples: every chunk verified and decoded, written as one Arrow IPC file. */
async function unpackSamples(dir: string, opts: { out: string; keyFile?: string }, out: Output): Promise<void> {
  const pack = await readSamplePack(dir, opts.keyFile, "unpack");
  const bytes = arrowFileOfTables(pack.tables);
  const numRows = pack.tables.reduce((a, t) => a + t.numRows, 0);
  const tmp = `${opts.out}.cyxwiz-partial`;
  try {
    await writeFile(tmp, bytes, { mode: 0o600 });
    await rename(tmp, opts.out);
  } catch (e) {
    await rm(tmp, { force: true });
    throw e;
  }
  out.result(
    {
      ok: true,
      dir,
      out: opts.out,
      bytes: bytes.length,
      merkleRoot: hex(pack.manifest.metadata!.merkleRoot),
      format: "arrow",
      samples: numRows,
    },
    `ok: restored ${numRows} samples to ${opts.out} as an Arrow IPC file (${bytes.length} bytes; every frame verified)`,
  );
}
