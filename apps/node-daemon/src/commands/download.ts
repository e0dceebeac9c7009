import { once } from "node:events";
import { createWriteStream } from "node:fs";
import { readFile, rename, rm, writeFile } from "node:fs/promises";
import { downloadDataset } from "@cyxwiz/client";
import { arrowFileOf } from "@cyxwiz/datasets/pack";
import { loadPrimitives } from "@cyxwiz/protocol/primitives";
import { cliErrorOf, type GatewayOptions, openGateway } from "../gateway-access.js";
import { readKeyFile } from "../key-file.js";
import { hex, type Output } from "../output.js";
import { createProgress } from "../progress.js";

export interface DownloadCommandOptions extends GatewayOptions {
  out: string;
  keyFile?: string;
  json?: boolean;
}

/**
 * `cyxwiz download <name[@vN]> --gateway URL --out <file>`: fetches every chunk, verifies it
 * against the manifest's Merkle root (and decrypts it with `--key-file`), and writes the
 * plaintext to a temporary file renamed into place only when every chunk verified, so a failed
 * download never leaves a file that looks complete.
 */
export async function downloadCommand(ref: string, opts: DownloadCommandOptions, out: Output): Promise<void> {
  const { clients } = await openGateway(opts);
  const datasetKey = opts.keyFile === undefined ? undefined : await readKeyFile(opts.keyFile);
  const tmp = `${opts.out}.cyxwiz-partial`;
  const sink = createWriteStream(tmp, { mode: 0o600 });
  let progress: ReturnType<typeof createProgress> | undefined;
  try {
    const r = await downloadDataset({
      clients,
      primitives: await loadPrimitives(),
      ref,
      ...(datasetKey === undefined ? {} : { datasetKey }),
      sink: async (bytes) => {
        if (!sink.write(bytes)) await once(sink, "drain");
      },
      onProgress: (p) => {
        progress ??= createProgress("download", p.totalBytes);
        progress.update(p.bytesDone);
      },
    });
    sink.end();
    await once(sink, "finish");
    // A dataset of samples is saved as its Arrow data: one Arrow IPC file (docs/dataset-formats.md).
    const samples = r.manifest.samples;
    if (samples !== undefined) {
      const plaintext = new Uint8Array(await readFile(tmp));
      await writeFile(tmp, arrowFileOf(plaintext, r.manifest.plainSizes), { mode: 0o600 });
    }
    await rename(tmp, opts.out);
    progress?.finish();
    const meta = r.manifest.metadata!;
    out.result(
      {
        ok: true,
        ref: r.version.ref,
        out: opts.out,
        bytes: r.bytes,
        numChunks: meta.numChunks,
        merkleRoot: hex(meta.merkleRoot),
        encrypted: r.manifest.cipher !== undefined,
        format: samples === undefined ? "opaque" : "arrow",
        samples: samples === undefined ? null : Number(samples.numSamples),
      },
      `ok: ${r.version.ref} -> ${opts.out}: ${r.bytes} bytes, ${meta.numChunks} chunks verified against merkle root ${hex(meta.merkleRoot)}` +
        (samples === undefined ? "" : `; ${samples.numSamples} samples saved as an Arrow IPC file`),
    );
  } catch (e) {
    progress?.finish();
    sink.destroy();
    await rm(tmp, { force: true });
    throw cliErrorOf(e);
  } finally {
    datasetKey?.fill(0);
  }
}
