import { formatBytes } from "@cyxwiz/protocol/units";

/**
 * What identifies a user's file across a page reload. Browsers cannot reopen a `File` without the
 * user, so a resumed upload asks for the file again and checks it against what was saved: the
 * same name, size and modification time. (Hashing the whole file first would be stronger but
 * would read every byte before the first chunk could go; each chunk's digest is in any case
 * checked by the gateway's Merkle root at commit.)
 */
export interface FileIdentity {
  readonly name: string;
  readonly size: number;
  /** Milliseconds since the epoch, as `File.lastModified`. */
  readonly lastModified: number;
}

/** The identity of a `File` (or anything shaped like one), as a plain value that IndexedDB can keep. */
export function fileIdentityOf(file: FileIdentity): FileIdentity {
  return { name: file.name, size: file.size, lastModified: file.lastModified };
}

/**
 * Whether `chosen` is the file the saved upload was made from.
 *
 * @returns `{ ok: true }`, or a message for the person who chose the file naming every difference.
 */
export function checkSameFile(
  saved: FileIdentity,
  chosen: FileIdentity,
): { ok: true } | { ok: false; message: string } {
  const differences: string[] = [];
  if (chosen.name !== saved.name) differences.push(`its name is "${chosen.name}", not "${saved.name}"`);
  if (chosen.size !== saved.size) {
    differences.push(
      `it holds ${formatBytes(chosen.size)} (${chosen.size} bytes), not ${formatBytes(saved.size)} (${saved.size} bytes)`,
    );
  }
  if (chosen.lastModified !== saved.lastModified) {
    const [mine, original] = describeTimes(chosen.lastModified, saved.lastModified);
    differences.push(
      differences.length === 0
        ? `it has the same name and size but a different modification time (${mine} vs ${original} when the upload started)`
        : `it was last modified ${mine}, not ${original}`,
    );
  }
  if (differences.length === 0) return { ok: true };
  return {
    ok: false,
    message: `That is not the file this upload started with: ${differences.join("; ")}. Choose the original "${saved.name}" to resume, or discard this upload and start a new one.`,
  };
}

/**
 * Two modification times, in UTC with the date, precise enough to tell apart: to the second, or
 * to the millisecond when they fall in the same second (a copy or a touch often changes only
 * that). Never the same text twice for different times.
 */
export function describeTimes(a: number, b: number): [string, string] {
  const seconds = [describeTime(a, false), describeTime(b, false)] as const;
  if (seconds[0] !== seconds[1]) return [seconds[0], seconds[1]];
  const millis = [describeTime(a, true), describeTime(b, true)] as const;
  if (millis[0] !== millis[1]) return [millis[0], millis[1]];
  return [`${a} ms after 1970`, `${b} ms after 1970`];
}

function describeTime(ms: number, withMillis: boolean): string {
  const d = new Date(ms);
  if (Number.isNaN(d.getTime())) return String(ms);
  const iso = d.toISOString().replace("T", " ");
  return withMillis ? iso.replace(/Z$/, " UTC") : iso.replace(/\.\d+Z$/, " UTC");
}

/**
 * Whether `chosen` are the files a saved upload of several files (a folder, IDX images and
 * labels) was made from: the same number, and each saved file matched by name with the same size
 * and modification time, so a resumed dataset never mixes chunks of two inputs.
 *
 * @returns `{ ok: true }`, or a message naming what is missing or differs.
 */
export function checkSameFiles(
  saved: readonly FileIdentity[],
  chosen: readonly FileIdentity[],
): { ok: true } | { ok: false; message: string } {
  if (saved.length === 1 && chosen.length === 1) return checkSameFile(saved[0]!, chosen[0]!);
  const names = saved.map((f) => `"${f.name}"`).join(", ");
  const byName = new Map(chosen.map((f) => [f.name, f]));
  const missing = saved.filter((f) => !byName.has(f.name));
  if (chosen.length !== saved.length || missing.length > 0)
    return {
      ok: false,
      message: `This upload started with ${saved.length} files (${names}); choose exactly those to resume${missing.length > 0 ? ` (missing: ${missing.map((f) => `"${f.name}"`).join(", ")})` : ""}.`,
    };
  for (const f of saved) {
    const same = checkSameFile(f, byName.get(f.name)!);
    if (!same.ok) return same;
  }
  return { ok: true };
}
