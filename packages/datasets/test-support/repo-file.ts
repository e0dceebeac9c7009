import { expect } from "vitest";
import type { InputFile } from "../src/samples/input-file.js";
import { memoryFile } from "./sample-files.js";

/**
 * A repository file by its vite `?url` import, for tests that run in Node and Chromium alike:
 * fetched from the dev server in Chromium, read from disk in Node.
 */
export async function repoFile(name: string, url: string): Promise<InputFile> {
  if (!("document" in globalThis)) {
    const fs = "node:fs/promises";
    const { readFile } = (await import(/* @vite-ignore */ fs)) as { readFile(path: string): Promise<Uint8Array> };
    return memoryFile(name, new Uint8Array(await readFile(decodeURIComponent(url.replace(/^\/@fs/, "")))));
  }
  const response = await fetch(url);
  expect(response.ok, url).toBe(true);
  return memoryFile(name, new Uint8Array(await response.arrayBuffer()));
}
