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

/**
 * The suggested file name for a dataset's recovery key: the dataset name with anything a file
 * system might refuse replaced by "_", then ".key".
 */
export function recoveryKeyFileName(datasetName: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are not allowed in file names
  const safe = datasetName.replace(/[\u0000-\u001f\u007f<>:"/\\|?*]+/g, "_").replace(/^\.+/, "_");
  return `${safe === "" ? "dataset" : safe}.key`;
}

/** Saves `text` as a download named `fileName` (the browser's download prompt or folder). */
export function downloadTextFile(fileName: string, text: string): void {
  const url = URL.createObjectURL(new Blob([text], { type: "text/plain" }));
  const a = document.createElement("a");
  a.href = url;
  a.download = fileName;
  a.rel = "noopener";
  document.body.append(a);
  a.click();
  a.remove();
  // Give the download a moment to start before the URL is revoked.
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
