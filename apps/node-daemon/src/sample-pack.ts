import { decodeSampleChunk } from "@cyxwiz/datasets/samples";
import type { DatasetManifest, SampleLayout } from "@cyxwiz/protocol/gen";
import type * as arrow from "apache-arrow";
import { replayPack } from "./commands/replay-pack.js";
import { badInput } from "./exit-codes.js";
import { readManifest } from "./pack-dir.js";

/** A pack of samples read back: its manifest, sample layout, and the chunks read, decoded. */
export interface SamplePack {
  readonly manifest: DatasetManifest;
  readonly layout: SampleLayout;
  /** Chunk `i`'s samples, for the chunks read (all, or the first `maxChunks`). */
  readonly tables: readonly arrow.Table[];
}

/**
 * Reads a pack of samples (manifest format_version 2): every frame (or the first `maxChunks`) is
 * verified, decrypted with the key file and decompressed by the same replay `verify` runs, and
 * each chunk's Arrow IPC stream is decoded.
 *
 * @throws CliError: bad input for an opaque pack (naming the fix), a missing key, a chunk that
 *   is not Arrow; verification failed for a bad frame.
 */
export async function readSamplePack(
  dir: string,
  keyFile: string | undefined,
  label: string,
  maxChunks?: number,
): Promise<SamplePack> {
  const manifest = await readManifest(dir);
  const layout = manifest.samples;
  if (layout === undefined || manifest.formatVersion < 2)
    throw badInput(
      `${dir} is an opaque pack (manifest format_version ${manifest.formatVersion}, no samples): ` +
        `only a dataset of samples (cyxwiz pack --format auto|csv|idx|...) can be ${label === "shard" ? "sharded" : "read as samples"}`,
    );
  if (manifest.cipher !== undefined && keyFile === undefined)
    throw badInput("this dataset is encrypted: pass --key-file <path> with its dataset key");
  const tables: arrow.Table[] = [];
  await replayPack(
    dir,
    keyFile,
    async (chunk) => {
      if (chunk.plaintext === undefined) throw new Error(`chunk ${chunk.index} has no plaintext`);
      try {
        tables.push(decodeSampleChunk(chunk.plaintext));
      } catch (e) {
        throw badInput(`${dir} chunk ${chunk.index}: ${(e as Error).message}`);
      }
    },
    label,
    maxChunks,
  );
  return { manifest, layout, tables };
}
