import { randomBytes } from "node:crypto";
import { open, rename, stat, unlink } from "node:fs/promises";
import { dirname } from "node:path";
import { syncDir } from "./node-identity.js";

/** Suffix of the temporary files `writeFileDurably` writes; left-overs of a crash end with it. */
export const TEMP_SUFFIX = ".tmp";

/**
 * Writes `bytes` to `path` so that after a crash the path holds either the old content or the
 * new one, never a torn mix: a temporary name in the same directory, fsync, rename, fsync of the
 * directory. The file is mode 0600.
 */
export async function writeFileDurably(path: string, bytes: Uint8Array | string): Promise<void> {
  const tmp = `${path}.${randomBytes(6).toString("hex")}${TEMP_SUFFIX}`;
  const handle = await open(tmp, "wx", 0o600);
  try {
    await handle.writeFile(bytes);
    await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    await rename(tmp, path);
  } catch (e) {
    await unlink(tmp).catch(() => {});
    throw e;
  }
  await syncDir(dirname(path));
}

/**
 * Overwrites the whole file at `path` with random bytes and fsyncs it, then unlinks it. On a
 * copy-on-write or journalling file system, or an SSD that remaps blocks, old blocks may still
 * survive on the device (docs/node-daemon.md); the content is ciphertext under the node's key
 * anyway. `beforeUnlink` runs after the overwrite is on disk, before the unlink.
 *
 * @returns the number of bytes overwritten.
 */
export async function overwriteAndUnlink(
  path: string,
  beforeUnlink?: (path: string) => Promise<void> | void,
): Promise<number> {
  const size = (await stat(path)).size;
  const handle = await open(path, "r+");
  try {
    const block = 64 * 1024;
    for (let at = 0; at < size; at += block) {
      const n = Math.min(block, size - at);
      await handle.write(randomBytes(n), 0, n, at);
    }
    await handle.sync();
  } finally {
    await handle.close();
  }
  await beforeUnlink?.(path);
  await unlink(path);
  return size;
}
