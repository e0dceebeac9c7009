import { open } from "node:fs/promises";
import type { ByteSource } from "../chunk/byte-source.js";

/** A ByteSource over a file, with the handle to close when done. */
export interface FileByteSource extends ByteSource {
  close(): Promise<void>;
}

/**
 * Opens a file as a ByteSource, reading each chunk with one positioned read into a fresh buffer,
 * so memory stays bounded by the chunk size (Node only).
 *
 * @throws the fs error (ENOENT, EACCES, EISDIR...) when the file cannot be opened.
 */
export async function openFileByteSource(path: string): Promise<FileByteSource> {
  const handle = await open(path, "r");
  const { size } = await handle.stat();
  return {
    size,
    freshReads: true,
    read(offset, length) {
      return readAt(offset, new Uint8Array(Math.max(0, Math.min(length, size - offset))));
    },
    readInto(offset, length, into) {
      return readAt(offset, into.subarray(0, Math.max(0, Math.min(length, size - offset))));
    },
    close: () => handle.close(),
  };

  async function readAt(offset: number, buffer: Uint8Array): Promise<Uint8Array> {
    const want = buffer.length;
    let filled = 0;
    while (filled < want) {
      const { bytesRead } = await handle.read(buffer, filled, want - filled, offset + filled);
      if (bytesRead === 0)
        throw new Error(`${path} shrank while it was being read (at byte ${offset + filled} of ${size})`);
      filled += bytesRead;
    }
    return buffer;
  }
}

/** Streams a file as pieces of about `pieceSize` bytes (for splitFrames). */
export async function* readFilePieces(
  path: string,
  pieceSize = 1024 * 1024,
): AsyncGenerator<Uint8Array, void, undefined> {
  const handle = await open(path, "r");
  try {
    for (;;) {
      const buffer = new Uint8Array(pieceSize);
      const { bytesRead } = await handle.read(buffer, 0, pieceSize, null);
      if (bytesRead === 0) return;
      yield buffer.subarray(0, bytesRead);
    }
  } finally {
    await handle.close();
  }
}
