import { readdir, stat } from "node:fs/promises";
import { join, relative, sep } from "node:path";
import type { InputFile } from "@cyxwiz/datasets/samples";
import { type FileByteSource, openFileByteSource } from "@cyxwiz/protocol/node";
import { badInput } from "./exit-codes.js";

/** The files of a dataset named on the command line, open; `close` releases them (again: nothing). */
export interface OpenedInput {
  readonly files: readonly InputFile[];
  close(): Promise<void>;
}

/**
 * Opens the files a command names as one dataset (docs/dataset-formats.md "CLI"): files as they
 * are (path: the file's name as given), and a directory walked recursively, each file's path
 * relative to the directory with `/` separators (an image folder's sub-folders are its labels).
 *
 * @throws CliError (bad input) naming a path that cannot be read.
 */
export async function openDatasetInput(paths: readonly string[]): Promise<OpenedInput> {
  const listed: { path: string; name: string }[] = [];
  for (const p of paths) {
    let isDir: boolean;
    try {
      isDir = (await stat(p)).isDirectory();
    } catch (e) {
      throw badInput(`cannot read ${p}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
    }
    if (!isDir) {
      listed.push({ path: p, name: p });
      continue;
    }
    const found = (await readdir(p, { recursive: true, withFileTypes: true }))
      .filter((d) => d.isFile())
      .map((d) => join(d.parentPath, d.name))
      .sort();
    if (found.length === 0) throw badInput(`${p} is a directory with no files`);
    for (const f of found) listed.push({ path: f, name: relative(p, f).split(sep).join("/") });
  }
  const opened: InputFile[] = [];
  const sources: FileByteSource[] = [];
  const closeAll = async () => {
    await Promise.all(sources.splice(0).map((s) => s.close()));
  };
  for (const f of listed) {
    try {
      sources.push(await openFileByteSource(f.path));
    } catch (e) {
      await closeAll();
      throw badInput(`cannot read ${f.path}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
    }
    opened.push({ path: f.name, source: sources.at(-1)! });
  }
  return { files: opened, close: closeAll };
}
