import { once } from "node:events";
import { createWriteStream, existsSync } from "node:fs";
import { mkdir, rename, rm, stat, writeFile } from "node:fs/promises";
import { basename } from "node:path";
import {
  type ByteSource,
  chunkToFrameParts,
  createChunker,
  DEFAULT_CHUNK_SIZE,
  MAX_CHUNK_SIZE,
} from "@cyxwiz/protocol/chunk";
import { type ChunkCipher, createChunkCipher } from "@cyxwiz/protocol/crypto";
import { DataClassification, type SampleLayout } from "@cyxwiz/protocol/gen";
import { openFileByteSource } from "@cyxwiz/protocol/node";
import { parseByteSize } from "@cyxwiz/protocol/units";
import {
  CLASSIFICATION_NAMES,
  type CodecName,
  classificationFromName,
  codecFromName,
  codecName,
} from "@cyxwiz/protocol/vocab";
import { chooseDataset } from "../dataset-choice.js";
import type { DatasetChoiceOptions } from "../dataset-options.js";
import { badInput } from "../exit-codes.js";
import { readOrCreateKeyFile } from "../key-file.js";
import { hex, type Output } from "../output.js";
import { framesPath, manifestPath, manifestToJson } from "../pack-dir.js";
import { createProgress } from "../progress.js";
import { loadSealingPrimitives } from "../sealing-primitives.js";

export interface PackOptions extends DatasetChoiceOptions {
  out: string;
  chunkSize?: string;
  compress?: string;
  encrypt?: boolean;
  keyFile?: string;
  name?: string;
  classification?: string;
  json?: boolean;
}

/**
 * `cyxwiz pack <file...> --out <dir>`: reads the files as one dataset of samples (any format of
 * docs/dataset-formats.md) or, with `--format opaque` or a single file no reader recognises, as
 * opaque bytes; chunks, compresses, encrypts and frames it; prints the Merkle root.
 */
export async function packCommand(paths: readonly string[], opts: PackOptions, out: Output): Promise<void> {
  const chunkSize = opts.chunkSize === undefined ? DEFAULT_CHUNK_SIZE : parseByteSize(opts.chunkSize);
  if (chunkSize === undefined || chunkSize < 1 || chunkSize > MAX_CHUNK_SIZE) {
    throw badInput(
      `--chunk-size must be a size from 1 byte to ${MAX_CHUNK_SIZE} bytes (e.g. 4MiB), got ${opts.chunkSize}`,
    );
  }
  let codec: CodecName = "none";
  if (opts.compress !== undefined) {
    try {
      codec = codecName(codecFromName(opts.compress));
    } catch (e) {
      throw badInput(`--compress: ${(e as Error).message}`);
    }
  }
  if (opts.encrypt === true && opts.keyFile === undefined)
    throw badInput("--encrypt needs --key-file <path> (created with a new key if it does not exist)");
  if (opts.encrypt !== true && opts.keyFile !== undefined) throw badInput("--key-file is only used with --encrypt");
  const classification = parseClassification(opts.classification);
  const common = {
    chunkSize,
    codec,
    classification,
    out: opts.out,
    encrypt: opts.encrypt === true,
    keyFile: opts.keyFile,
  };
  const choice = await chooseDataset(paths, opts, chunkSize, out);
  if (choice.kind === "opaque")
    return packOpaque(choice.path, { ...common, name: opts.name ?? basename(choice.path) }, out);
  const { prepared } = choice;
  const name = opts.name ?? basename(paths[0]!);
  const written = await writePackDir(
    prepared.source,
    { ...common, name, type: prepared.format, plainSizes: prepared.plainSizes, samples: prepared.layout },
    out,
  );
  const result = {
    file: paths.join(" "),
    ...written.result,
    format: prepared.format,
    samples: prepared.summary.numSamples,
    labelColumn: prepared.labelColumn ?? null,
  };
  out.result(
    result,
    `packed ${result.samples} samples (${prepared.format}${prepared.labelColumn === undefined ? "" : `, label ${prepared.labelColumn}`}) ` +
      `of ${paths.join(" ")} into ${opts.out}: ${result.numChunks} chunks of up to ${chunkSize} bytes, ` +
      `${result.totalSize} -> ${result.storedSize} bytes stored (codec ${result.codec}${result.encrypted ? ", AES-256-GCM" : ""})\n` +
      `merkle root ${result.merkleRoot}`,
  );
}

interface WriteOptions {
  chunkSize: number;
  codec: CodecName;
  classification: DataClassification;
  out: string;
  encrypt: boolean;
  keyFile: string | undefined;
  name: string;
}

/** Today's pack of one file as opaque bytes in fixed-size chunks (manifest format_version 1). */
async function packOpaque(file: string, opts: WriteOptions, out: Output): Promise<void> {
  let source: Awaited<ReturnType<typeof openFileByteSource>>;
  try {
    source = await openFileByteSource(file);
  } catch (e) {
    throw badInput(`cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
  }
  try {
    const { result } = await writePackDir(source, { ...opts, type: "opaque" }, out);
    const full = { file, ...result, format: "opaque", samples: null, labelColumn: null };
    out.result(
      full,
      `packed ${file} into ${opts.out}: ${result.numChunks} chunks of up to ${opts.chunkSize} bytes, ` +
        `${result.totalSize} -> ${result.storedSize} bytes stored (codec ${result.codec}${result.encrypted ? ", AES-256-GCM" : ""})\n` +
        `merkle root ${result.merkleRoot}`,
    );
  } finally {
    await source.close();
  }
}

/**
 * Chunks, compresses, encrypts and frames `source` into `opts.out` (frames first, manifest last:
 * a directory with a manifest is a complete pack). On failure nothing half-written is left: the
 * partial files go, and the directory too when this call created it.
 */
async function writePackDir(
  source: ByteSource,
  opts: WriteOptions & { type: string; plainSizes?: readonly number[]; samples?: SampleLayout },
  out: Output,
) {
  const { primitives, sealers } = await loadSealingPrimitives();
  let cipher: ChunkCipher | undefined;
  if (opts.encrypt && opts.keyFile !== undefined) {
    const { key, created } = await readOrCreateKeyFile(opts.keyFile);
    if (created)
      out.note(
        `wrote a new dataset key to ${opts.keyFile} (mode 0600): keep it, it is the only way to read this dataset`,
      );
    const made = await createChunkCipher(primitives, key);
    key.fill(0);
    if (!made.ok) throw badInput(made.error.message);
    cipher = made.value;
  }
  const createdDir = !existsSync(opts.out);
  await mkdir(opts.out, { recursive: true });
  const framesTmp = `${framesPath(opts.out)}.partial`;
  const progress = createProgress("pack", source.size);
  let storedBytes = 0;
  try {
    const chunker = createChunker(primitives, source, {
      chunkSize: opts.chunkSize,
      codec: opts.codec,
      readAhead: sealers + 1,
      ...(opts.plainSizes === undefined ? {} : { plainSizes: opts.plainSizes }),
      ...(opts.samples === undefined ? {} : { samples: opts.samples }),
      ...(cipher === undefined ? {} : { cipher }),
      metadata: {
        name: opts.name,
        type: opts.type,
        classification: opts.classification,
        ...(opts.samples === undefined ? {} : { numSamples: opts.samples.numSamples }),
      },
      onProgress: (done) => progress.update(done),
    });
    const sink = createWriteStream(framesTmp);
    try {
      for await (const chunk of chunker.chunks()) {
        // Header, payload and trailer go out as one vectored write: the chunk is never copied.
        const { header, payload, trailer } = await chunkToFrameParts(primitives, chunk);
        storedBytes += chunk.storedSize;
        sink.cork();
        sink.write(header);
        for (const piece of payload) sink.write(piece);
        const more = sink.write(trailer);
        sink.uncork();
        if (!more) await once(sink, "drain");
      }
      sink.end();
      await once(sink, "finish");
    } catch (e) {
      sink.destroy();
      throw e;
    }
    progress.finish();
    const manifest = chunker.manifest();
    await rename(framesTmp, framesPath(opts.out));
    await writeFile(`${manifestPath(opts.out)}.partial`, manifestToJson(manifest));
    await rename(`${manifestPath(opts.out)}.partial`, manifestPath(opts.out));
    const meta = manifest.metadata!;
    return {
      manifest,
      result: {
        out: opts.out,
        merkleRoot: hex(meta.merkleRoot),
        numChunks: meta.numChunks,
        chunkSize: meta.chunkSize,
        totalSize: Number(meta.totalSize),
        storedSize: storedBytes,
        framesSize: (await stat(framesPath(opts.out))).size,
        codec: codecName(manifest.codec),
        encrypted: cipher !== undefined,
      },
    };
  } catch (e) {
    progress.finish();
    await rm(framesTmp, { force: true });
    if (createdDir) await rm(opts.out, { recursive: true, force: true });
    throw e;
  }
}

export function parseClassification(text: string | undefined): DataClassification {
  if (text === undefined) return DataClassification.PUBLIC;
  const found = classificationFromName(text);
  if (found === undefined) {
    throw badInput(`--classification must be one of ${CLASSIFICATION_NAMES.join(", ")}; got ${text}`);
  }
  return found.proto;
}
