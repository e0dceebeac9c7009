import { saveBlob } from "../download/save-target.js";
import { safeFileName } from "../format/file-name.js";
import { toHex } from "../format/hex.js";

/**
 * The text of a recovery key file: the 32-byte dataset key as 64 lowercase hex characters and a
 * newline, the format `cyxwiz --key-file` reads. Whoever holds it can read the dataset.
 *
 * @throws RangeError unless `datasetKey` is 32 bytes.
 */
export function recoveryKeyText(datasetKey: Uint8Array): string {
  if (datasetKey.length !== 32) throw new RangeError(`a dataset key is 32 bytes, got ${datasetKey.length}`);
  return `${toHex(datasetKey)}\n`;
}

/** What {@link parseRecoveryKey} makes of the text a person pasted or chose. */
export type ParsedRecoveryKey =
  | { readonly ok: true; readonly datasetKey: Uint8Array }
  | { readonly ok: false; readonly message: string };

/**
 * Reads a recovery key as {@link recoveryKeyText} writes it (64 hex characters, either case;
 * white space around it is ignored). A wrong shape is an expected outcome, so it is returned,
 * with a message naming what is wrong, not thrown.
 */
export function parseRecoveryKey(text: string): ParsedRecoveryKey {
  const hex = text.trim();
  if (hex === "") return { ok: false, message: "Paste the recovery key or choose its .key file." };
  const bad = hex.search(/[^0-9a-fA-F]/);
  if (bad >= 0)
    return {
      ok: false,
      message: `A recovery key is 64 hexadecimal characters; character ${bad + 1} is ${JSON.stringify(hex[bad])}.`,
    };
  if (hex.length !== 64)
    return { ok: false, message: `A recovery key is 64 hexadecimal characters; this one has ${hex.length}.` };
  const datasetKey = new Uint8Array(32);
  for (let i = 0; i < 32; i++) datasetKey[i] = Number.parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  return { ok: true, datasetKey };
}

/**
 * The suggested file name for a dataset's recovery key: the dataset name with anything a file
 * system might refuse replaced by "_", then ".key".
 */
export function recoveryKeyFileName(datasetName: string): string {
  return `${safeFileName(datasetName)}.key`;
}

/** Saves `text` as a download named `fileName` (the browser's download prompt or folder). */
export function downloadTextFile(fileName: string, text: string): void {
  saveBlob(fileName, new Blob([text], { type: "text/plain" }));
}
