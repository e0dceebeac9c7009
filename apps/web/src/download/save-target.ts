/**
 * Where a download's bytes go, in order: a file the person picked with the File System Access API
 * (`showSaveFilePicker`, written as it arrives, never held whole in memory) where the browser has
 * it, otherwise a Blob saved through an `<a download>` once complete.
 */
export interface SaveTarget {
  readonly kind: "file-system" | "blob";
  write(bytes: Uint8Array): Promise<void>;
  /** Finishes the file (the Blob is offered as a download). */
  close(): Promise<void>;
  /** Drops what was written: the picked file is left as it was, the Blob is never offered. */
  abort(): Promise<void>;
}

/** The part of the File System Access API used here (not in TypeScript's DOM lib yet). */
interface SaveFilePickerWindow {
  showSaveFilePicker?: (options: { suggestedName: string }) => Promise<{
    createWritable(): Promise<{
      write(data: Uint8Array): Promise<void>;
      close(): Promise<void>;
      abort(): Promise<void>;
    }>;
  }>;
}

/**
 * Opens the place to save `fileName`. Call it straight from a click: the file picker needs the
 * click's user activation.
 *
 * @returns undefined when the person closed the file picker without choosing.
 * @throws whatever the picker or the file system throws other than the person's cancel (a
 *   refused location, no permission).
 */
export async function openSaveTarget(fileName: string): Promise<SaveTarget | undefined> {
  const picker = (window as unknown as SaveFilePickerWindow).showSaveFilePicker;
  if (picker === undefined) return blobTarget(fileName);
  let handle: Awaited<ReturnType<NonNullable<SaveFilePickerWindow["showSaveFilePicker"]>>>;
  try {
    handle = await picker.call(window, { suggestedName: fileName });
  } catch (e) {
    if ((e as { name?: unknown } | null)?.name === "AbortError") return undefined;
    throw e;
  }
  const writable = await handle.createWritable();
  return {
    kind: "file-system",
    write: (bytes) => writable.write(bytes),
    close: () => writable.close(),
    abort: () => writable.abort(),
  };
}

function blobTarget(fileName: string): SaveTarget {
  let parts: Uint8Array<ArrayBuffer>[] = [];
  return {
    kind: "blob",
    async write(bytes) {
      parts.push(bytes as Uint8Array<ArrayBuffer>);
    },
    async close() {
      const blob = new Blob(parts, { type: "application/octet-stream" });
      parts = [];
      saveBlob(fileName, blob);
    },
    async abort() {
      parts = [];
    },
  };
}

/** Offers `blob` as a download named `fileName` (the browser's download prompt or folder). */
export function saveBlob(fileName: string, blob: Blob): void {
  const url = URL.createObjectURL(blob);
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
