import { stat } from "node:fs/promises";
import { homedir } from "node:os";
import { basename, join, resolve } from "node:path";
import { createJsonFileStateStore, createUploadSession, type UploadEvent } from "@cyxwiz/client";
import { DEFAULT_CHUNK_SIZE, MAX_CHUNK_SIZE } from "@cyxwiz/protocol/chunk";
import { openFileByteSource } from "@cyxwiz/protocol/node";
import { formatBytes, parseByteSize } from "@cyxwiz/protocol/units";
import { type CodecName, codecFromName, codecName } from "@cyxwiz/protocol/vocab";
import { chooseDataset } from "../dataset-choice.js";
import type { DatasetChoiceOptions } from "../dataset-options.js";
import { badInput } from "../exit-codes.js";
import { cliErrorOf, type GatewayOptions, openGateway } from "../gateway-access.js";
import { readOrCreateKeyFile } from "../key-file.js";
import { hex, type Output } from "../output.js";
import { createProgress } from "../progress.js";
import { loadSealingPrimitives } from "../sealing-primitives.js";
import { parseClassification } from "./pack.js";

export interface UploadCommandOptions extends GatewayOptions, DatasetChoiceOptions {
  name?: string;
  classification?: string;
  chunkSize?: string;
  /** `--compress` alone is `true` (zstd); `--compress <codec>` names one. */
  compress?: string | boolean;
  encrypt?: boolean;
  keyFile?: string;
  escrow?: boolean;
  json?: boolean;
}

/** Where interrupted uploads are remembered: `CYXWIZ_STATE_DIR`, default `~/.cyxwiz/uploads`. */
export function uploadStateDir(): string {
  const dir = process.env.CYXWIZ_STATE_DIR;
  return dir !== undefined && dir !== "" ? dir : join(homedir(), ".cyxwiz", "uploads");
}

/**
 * `cyxwiz upload <file...> --gateway URL`: uploads files as a dataset version
 * (docs/upload-protocol.md): a dataset of samples packed as `cyxwiz pack` packs it
 * (docs/dataset-formats.md), or one file as opaque bytes. An upload that stops (network, gateway
 * restart, Ctrl-C, a crash) continues where it stopped when the same command is run again: its
 * state is kept under {@link uploadStateDir}, keyed by the files' absolute paths, sizes and
 * modification times, how they are read, the gateway and the dataset name.
 */
export async function uploadCommand(paths: readonly string[], opts: UploadCommandOptions, out: Output): Promise<void> {
  const chunkSize = opts.chunkSize === undefined ? DEFAULT_CHUNK_SIZE : parseByteSize(opts.chunkSize);
  if (chunkSize === undefined || chunkSize < 1 || chunkSize > MAX_CHUNK_SIZE) {
    throw badInput(
      `--chunk-size must be a size from 1 byte to ${MAX_CHUNK_SIZE} bytes (e.g. 4MiB), got ${opts.chunkSize}`,
    );
  }
  let compression: CodecName = "none";
  if (opts.compress !== undefined && opts.compress !== false) {
    try {
      compression = opts.compress === true ? "zstd" : codecName(codecFromName(opts.compress));
    } catch (e) {
      throw badInput(`--compress: ${(e as Error).message}`);
    }
  }
  if (opts.encrypt === true && opts.keyFile === undefined)
    throw badInput("--encrypt needs --key-file <path> (created with a new key if it does not exist)");
  if (opts.encrypt !== true && opts.keyFile !== undefined) throw badInput("--key-file is only used with --encrypt");
  if (opts.escrow === true && opts.encrypt !== true)
    throw badInput("--escrow needs --encrypt: only an encrypted dataset has a key to escrow");
  const classification = parseClassification(opts.classification);
  const choice = await chooseDataset(paths, opts, chunkSize, out);
  const file = choice.kind === "opaque" ? choice.path : choice.label;
  // The resume key: the files as they are on disk (a changed file is another upload).
  const identities = await Promise.all(
    paths.map(async (p) => {
      const s = await stat(p).catch((e: NodeJS.ErrnoException) => {
        throw badInput(`cannot read ${p}: ${e.code ?? String(e)}`);
      });
      if (choice.kind === "opaque" && !s.isFile()) throw badInput(`${p} is not a file`);
      return { file: resolve(p), size: s.size, mtimeMs: s.mtimeMs };
    }),
  );
  const name = opts.name ?? basename(resolve(paths[0]!));
  const { clients, createWebSocket } = await openGateway(opts);

  let datasetKey: Uint8Array | undefined;
  if (opts.encrypt === true && opts.keyFile !== undefined) {
    const { key, created } = await readOrCreateKeyFile(opts.keyFile);
    if (created)
      out.note(
        `wrote a new dataset key to ${opts.keyFile} (mode 0600): keep it, it is the only way to read this dataset`,
      );
    datasetKey = key;
  }

  const opened =
    choice.kind === "opaque"
      ? await openFileByteSource(choice.path).catch((e: NodeJS.ErrnoException) => {
          throw badInput(`cannot read ${file}: ${e.code ?? String(e)}`);
        })
      : undefined;
  const source = choice.kind === "samples" ? choice.prepared.source : opened!;
  const progress = createProgress("upload", source.size);
  try {
    const session = createUploadSession({
      clients,
      createWebSocket,
      primitives: (await loadSealingPrimitives()).primitives,
      source,
      name,
      ...(choice.kind === "samples"
        ? {
            samples: { plainSizes: choice.prepared.plainSizes, layout: choice.prepared.layout },
            type: choice.prepared.format,
          }
        : {}),
      classification,
      chunkSize,
      compression,
      encrypt: opts.encrypt === true,
      ...(datasetKey === undefined ? {} : { datasetKey }),
      escrow: opts.escrow === true,
      store: createJsonFileStateStore(uploadStateDir()),
      stateKey: JSON.stringify({
        gateway: clients.baseUrl,
        files: identities,
        name,
        // The same files read another way are another dataset.
        dataset:
          choice.kind === "opaque"
            ? "opaque"
            : [opts.format, opts.labelColumn, opts.order, opts.shards, opts.orderColumn, opts.seed, opts.split],
      }),
      onProgress: (p) => progress.update(p.bytesAcked),
      onEvent: (e) => {
        const note = describeEvent(e);
        if (note !== undefined) out.note(note);
      },
    });
    const r = await session.run();
    progress.finish();
    const v = r.version;
    const result = {
      file,
      ref: v.ref,
      name: v.name,
      version: v.version,
      transferId: r.transferId,
      merkleRoot: hex(r.manifest.metadata!.merkleRoot),
      numChunks: r.manifest.metadata!.numChunks,
      chunkSize: r.manifest.metadata!.chunkSize,
      totalSize: Number(r.manifest.metadata!.totalSize),
      storedSize: r.manifest.storedSizes.reduce((a, b) => a + b, 0),
      codec: codecName(r.manifest.codec),
      encrypted: r.manifest.cipher !== undefined,
      keyEscrowed: r.keyEscrowed,
      resumed: r.resumed,
    };
    out.result(
      result,
      `uploaded ${file} as ${v.ref}: ${result.numChunks} chunks, ${formatBytes(result.totalSize)} -> ${formatBytes(result.storedSize)} stored ` +
        `(codec ${result.codec}${result.encrypted ? ", AES-256-GCM" : ""}${result.keyEscrowed ? ", key escrowed" : ""}${result.resumed ? ", resumed" : ""})\n` +
        `merkle root ${result.merkleRoot}`,
    );
  } catch (e) {
    progress.finish();
    throw cliErrorOf(e);
  } finally {
    datasetKey?.fill(0);
    await opened?.close();
  }
}

/** A line for stderr about what the upload is doing, or undefined for nothing worth saying. */
function describeEvent(e: UploadEvent): string | undefined {
  switch (e.kind) {
    case "initiated":
      return undefined;
    case "resumed":
      return `resuming transfer ${e.transferId}: ${e.chunksDone} of ${e.totalChunks} chunks already on the gateway`;
    case "state-discarded":
      return `note: ${e.reason}`;
    case "state-save-failed":
      return `warning: cannot save the upload state (an interruption would restart it): ${e.message}`;
    case "disconnected":
      return `connection lost (code ${e.code}${e.reason === "" ? "" : `, ${e.reason}`})`;
    case "reconnecting":
      return `reconnecting in ${e.delayMs} ms (attempt ${e.attempt})`;
    case "chunk-refused":
      return `the gateway refused chunk ${e.index} (${e.status}); sending it again`;
    case "committed":
      return undefined;
  }
}
