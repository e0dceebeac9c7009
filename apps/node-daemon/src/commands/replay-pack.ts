import { stat } from "node:fs/promises";
import { type ChunkReceiver, checkManifest, createChunkReceiver, type ReceivedChunk } from "@cyxwiz/protocol/chunk";
import { type ChunkCipher, createChunkCipher } from "@cyxwiz/protocol/crypto";
import { isProtocolError } from "@cyxwiz/protocol/errors";
import { decodeFrameHeader, splitFrames } from "@cyxwiz/protocol/frame";
import { AckStatus, type DatasetManifest } from "@cyxwiz/protocol/gen";
import { readFilePieces } from "@cyxwiz/protocol/node";
import { loadPrimitives } from "@cyxwiz/protocol/primitives";
import { badInput, verificationFailed } from "../exit-codes.js";
import { readKeyFile } from "../key-file.js";
import { framesPath, readManifest } from "../pack-dir.js";
import { createProgress } from "../progress.js";

export interface ReplayResult {
  readonly manifest: DatasetManifest;
  readonly framesChecked: number;
  readonly decrypted: boolean;
}

/**
 * Re-checks a packed directory by feeding every frame, in file order, to the same chunk receiver
 * the gateway uses (seed §5.4): FCS, SHA-256, sequence, flags, decrypt and decompress (with the
 * key), Merkle proof against the manifest's root. Verified chunks go to `onChunk` in order.
 *
 * @throws CliError: bad input (unreadable pack, wrong key) or verification failed, naming the
 *   first bad frame.
 */
export async function replayPack(
  dir: string,
  keyFile: string | undefined,
  onChunk: (chunk: ReceivedChunk) => Promise<void>,
  label: string,
  /** Stop after this many frames (a preview reads the first chunk only); the rest is not checked. */
  maxFrames?: number,
): Promise<ReplayResult> {
  const manifest = await readManifest(dir);
  const checked = checkManifest(manifest);
  if (!checked.ok) throw verificationFailed(`manifest: ${checked.error.code}: ${checked.error.message}`);
  const primitives = await loadPrimitives();
  let cipher: ChunkCipher | undefined;
  if (keyFile !== undefined) {
    if (manifest.cipher === undefined) throw badInput("--key-file was given but this dataset is not encrypted");
    const key = await readKeyFile(keyFile);
    const made = await createChunkCipher(primitives, key, manifest.cipher);
    key.fill(0);
    if (!made.ok) throw badInput(`${made.error.code}: ${made.error.message}`);
    cipher = made.value;
  }
  const made = await createChunkReceiver({
    primitives,
    manifest,
    transferId: `local:${dir}`,
    ...(cipher === undefined ? {} : { cipher }),
    store: onChunk,
    reorderWindow: 1,
  });
  if (!made.ok) throw verificationFailed(`manifest: ${made.error.code}: ${made.error.message}`);
  const receiver: ChunkReceiver = made.value;

  let framesSize: number;
  try {
    framesSize = (await stat(framesPath(dir))).size;
  } catch (e) {
    throw badInput(`cannot read ${framesPath(dir)}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
  }
  const progress = createProgress(label, framesSize);
  let index = 0;
  let offset = 0;
  try {
    for await (const frame of splitFrames(readFilePieces(framesPath(dir)))) {
      if (maxFrames !== undefined && index >= maxFrames) break;
      const where = `frame ${index} (at byte ${offset} of ${framesPath(dir)})`;
      const header = decodeFrameHeader(frame);
      if (header.ok && header.value.sequence !== BigInt(index)) {
        throw verificationFailed(
          `${where}: has sequence ${header.value.sequence}; expected ${index} (frames are out of order, duplicated or missing)`,
        );
      }
      if (index >= receiver.numChunks)
        throw verificationFailed(`${where}: the manifest declares only ${receiver.numChunks} chunks`);
      const events = await receiver.receiveFrame(frame);
      for (const e of events) {
        if (e.kind === "ack" && e.ack.status !== AckStatus.ACK_OK)
          throw verificationFailed(`${where}: ${e.ack.errorMessage}`);
      }
      offset += frame.length;
      index++;
      progress.update(offset);
    }
  } catch (e) {
    if (isProtocolError(e)) throw verificationFailed(`frame ${index}: ${e.message}`);
    throw e;
  } finally {
    progress.finish();
  }
  if (!receiver.complete && (maxFrames === undefined || index < Math.min(maxFrames, receiver.numChunks))) {
    throw verificationFailed(
      `${framesPath(dir)} ends after ${index} frames; the manifest declares ${receiver.numChunks} chunks`,
    );
  }
  return { manifest, framesChecked: index, decrypted: cipher !== undefined };
}
