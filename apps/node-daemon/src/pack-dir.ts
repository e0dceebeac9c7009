import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { fromJsonString, toJsonString } from "@bufbuild/protobuf";
import { type DatasetManifest, DatasetManifestSchema } from "@cyxwiz/protocol/gen";
import { badInput } from "./exit-codes.js";

/**
 * A packed dataset directory: `manifest.json` (the DatasetManifest in protobuf's canonical JSON)
 * and `frames.cyxw` (every chunk's CYXW frame, concatenated in sequence order).
 */
export const MANIFEST_FILE = "manifest.json";
export const FRAMES_FILE = "frames.cyxw";

export const manifestPath = (dir: string) => join(dir, MANIFEST_FILE);
export const framesPath = (dir: string) => join(dir, FRAMES_FILE);

export function manifestToJson(manifest: DatasetManifest): string {
  return `${toJsonString(DatasetManifestSchema, manifest, { prettySpaces: 2 })}\n`;
}

/** Reads and parses a pack's manifest. @throws CliError (bad input) naming what is wrong. */
export async function readManifest(dir: string): Promise<DatasetManifest> {
  let text: string;
  try {
    text = await readFile(manifestPath(dir), "utf8");
  } catch (e) {
    throw badInput(
      `cannot read ${manifestPath(dir)}: ${(e as NodeJS.ErrnoException).code ?? String(e)} (is ${dir} a directory written by cyxwiz pack?)`,
    );
  }
  try {
    return fromJsonString(DatasetManifestSchema, text);
  } catch (e) {
    throw badInput(`${manifestPath(dir)} is not a valid manifest: ${(e as Error).message}`);
  }
}
