import { randomBytes } from "node:crypto";
import { constants, type FileHandle, open, rm } from "node:fs/promises";
import { join } from "node:path";

/** O_DIRECT needs buffer address, file offset and length aligned to the logical block size: 4096 covers 512 too. */
const BLOCK = 4096;
const roundUp = (n: number) => Math.ceil(n / BLOCK) * BLOCK;

/** Writes whole new files durably, bypassing the page cache. */
export interface DirectFileWriter {
  /**
   * Creates `path` (it must not exist), writes the concatenation of `pieces`, fsyncs and closes it.
   * @throws the fs error; EINVAL when the file system refused a direct write after all.
   */
  write(path: string, pieces: readonly Uint8Array[]): Promise<void>;
}

/** A page-aligned window into a staging buffer, reused from write to write. */
interface Staging {
  readonly view: Buffer;
}

/**
 * Opens a writer that writes files with O_DIRECT from page-aligned staging buffers, or
 * `undefined` when the file system under `dir` does not take O_DIRECT (older kernels' tmpfs, some
 * overlay and network file systems).
 *
 * Why (docs/decisions.md, "Chunk files written with O_DIRECT"): on these machines a buffered
 * write spends 1.4–2.7 ms of kernel CPU per MB copying into the page cache
 * (copy_folio_from_iter_atomic was a third of the gateway's CPU while it took uploads); a direct
 * write from an aligned buffer measured 0.07 ms/MB. The bytes are copied once into the staging
 * buffer in user space, written in whole 4 KiB blocks, and the file is truncated to its length.
 *
 * JavaScript cannot see a buffer's address, so each staging buffer's alignment is found by
 * trying 4 KiB direct writes into a probe file at the offsets where it can be (large buffers
 * from malloc start 16 bytes into a page, so 4080 is tried first).
 */
export async function openDirectFileWriter(dir: string): Promise<DirectFileWriter | undefined> {
  const O_DIRECT = constants.O_DIRECT;
  if (O_DIRECT === undefined) return undefined;
  const probePath = join(dir, `direct-probe-${randomBytes(6).toString("hex")}`);
  const openProbe = () => open(probePath, constants.O_WRONLY | constants.O_CREAT | O_DIRECT, 0o600);

  /** A staging buffer of at least `size` bytes (a multiple of BLOCK), aligned; undefined if none aligns. */
  const allocate = async (probe: FileHandle, size: number): Promise<Staging | undefined> => {
    const raw = Buffer.allocUnsafeSlow(size + BLOCK);
    const candidates = [BLOCK - 16, 0];
    for (let off = 16; off < BLOCK; off += 16) if (off !== BLOCK - 16) candidates.push(off);
    for (const off of candidates) {
      try {
        await probe.write(raw, off, BLOCK, 0);
        return { view: raw.subarray(off, off + size) };
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== "EINVAL") throw e;
      }
    }
    return undefined;
  };

  const withProbe = async (size: number): Promise<Staging | undefined> => {
    const probe = await openProbe();
    try {
      return await allocate(probe, size);
    } finally {
      await probe.close().catch(() => undefined);
      await rm(probePath, { force: true });
    }
  };

  // The file system takes O_DIRECT only if the probe file opens with it and an aligned write succeeds.
  let first: Staging | undefined;
  try {
    first = await withProbe(4 * 1024 * 1024);
  } catch {
    return undefined;
  }
  if (first === undefined) return undefined;
  /** Staging buffers not in use; a few are kept (one per concurrent write), more are dropped. */
  const free: Staging[] = [first];
  const KEEP = 8;

  const acquire = async (size: number): Promise<Staging> => {
    const i = free.findIndex((s) => s.view.length >= size);
    if (i >= 0) return free.splice(i, 1)[0]!;
    const made = await withProbe(size);
    if (made === undefined)
      throw Object.assign(new Error("no aligned staging buffer could be made"), { code: "EINVAL" });
    return made;
  };

  return {
    async write(path, pieces) {
      let length = 0;
      for (const p of pieces) length += p.length;
      const padded = roundUp(length);
      const staging = await acquire(Math.max(padded, BLOCK));
      try {
        // The one copy: the pieces (views of the received message) into the aligned buffer.
        let at = 0;
        for (const p of pieces) {
          staging.view.set(p, at);
          at += p.length;
        }
        staging.view.fill(0, length, padded); // the padding is cut off by the truncate below
        const handle = await open(path, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | O_DIRECT, 0o644);
        try {
          for (let at = 0; at < padded; ) {
            const { bytesWritten } = await handle.write(staging.view, at, padded - at, at);
            if (bytesWritten === 0) throw new Error(`direct write of ${path} made no progress`);
            at += bytesWritten;
          }
          if (padded !== length) await handle.truncate(length);
          await handle.sync();
        } finally {
          await handle.close();
        }
      } finally {
        if (free.length < KEEP) free.push(staging);
      }
    },
  };
}
