import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { link, open, readFile, unlink } from "node:fs/promises";
import { hostname } from "node:os";
import { join, resolve } from "node:path";
import { StoreError } from "./store-error.js";
import type { StoreLogger } from "./store-logger.js";

/** The file that says which gateway process owns a data directory. */
export const DATA_DIR_LOCK_FILE = "gateway.lock";

/** What the lock file holds: enough to tell a live owner from one that is gone. */
interface LockOwner {
  readonly pid: number;
  readonly host: string;
  /** The process's start time in clock ticks since boot (Linux), to see through a reused PID. */
  readonly procStart: string | null;
  readonly since: string;
}

/** A held lock on a data directory; `release()` gives it up (twice is harmless). */
export interface DataDirLock {
  readonly path: string;
  release(): Promise<void>;
}

/** Data directories this process holds, so a second gateway in the same process is refused too. */
const heldHere = new Set<string>();

/** Field 22 of /proc/<pid>/stat (start time), or null where there is no /proc. */
function procStartOf(pid: number): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2).split(" ")[19] ?? null;
  } catch {
    return null;
  }
}

function parseOwner(text: string): LockOwner | undefined {
  try {
    const o = JSON.parse(text) as Partial<LockOwner>;
    if (typeof o.pid !== "number" || !Number.isInteger(o.pid) || o.pid < 1 || typeof o.host !== "string")
      return undefined;
    return {
      pid: o.pid,
      host: o.host,
      procStart: typeof o.procStart === "string" ? o.procStart : null,
      since: typeof o.since === "string" ? o.since : "",
    };
  } catch {
    return undefined;
  }
}

/** Why the recorded owner is gone, or undefined while it may still be running. */
function goneBecause(owner: LockOwner, dir: string): string | undefined {
  if (owner.host !== hostname()) return undefined; // another machine's process: cannot be checked from here
  if (owner.pid === process.pid) return heldHere.has(dir) ? undefined : "its PID is now this process's";
  try {
    process.kill(owner.pid, 0);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ESRCH") return `process ${owner.pid} is not running`;
    return undefined; // EPERM: a live process of another user
  }
  const start = procStartOf(owner.pid);
  if (owner.procStart !== null && start !== null && start !== owner.procStart) {
    return `PID ${owner.pid} now belongs to a later process`;
  }
  return undefined;
}

/**
 * Takes the data directory for this gateway process, or refuses: embedded PGlite, the chunk
 * files and the keys in one directory must be used by one gateway at a time (a second one would
 * corrupt the database). The owner is recorded in `<dir>/gateway.lock`; a lock left by a process
 * that is gone (crashed, killed, or whose PID was reused) is taken over and logged.
 *
 * Two gateways starting in the same instant over a stale lock could both take it; anything short
 * of that is refused.
 *
 * @throws StoreError `data_dir_in_use` when a live gateway holds the directory.
 */
export async function lockDataDir(directory: string, log?: StoreLogger): Promise<DataDirLock> {
  const dir = resolve(directory);
  const path = join(dir, DATA_DIR_LOCK_FILE);
  const me: LockOwner = {
    pid: process.pid,
    host: hostname(),
    procStart: procStartOf(process.pid),
    since: new Date().toISOString(),
  };
  // Written whole under a private name, then linked into place: link() creates the lock file
  // only if none exists, and nobody ever reads a half-written one.
  const draft = `${path}.${process.pid}.${randomBytes(6).toString("hex")}`;
  const file = await open(draft, "wx", 0o644);
  try {
    await file.writeFile(`${JSON.stringify(me)}\n`);
    await file.sync();
  } finally {
    await file.close();
  }
  try {
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        await link(draft, path);
        heldHere.add(dir);
        return { path, release: () => release(dir, path, me) };
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
      }
      await takeOverIfGone(dir, path, log);
    }
  } finally {
    await unlink(draft).catch(() => undefined);
  }
  throw new StoreError("data_dir_in_use", `could not take ${path}: other processes keep taking it`);
}

/** Removes the lock file if its owner is gone; throws `data_dir_in_use` if it may be running. */
async function takeOverIfGone(dir: string, path: string, log: StoreLogger | undefined): Promise<void> {
  const text = await readFile(path, "utf8").catch(() => undefined);
  if (text === undefined) return; // released between our link and our read: try again
  const owner = parseOwner(text);
  const gone = owner === undefined ? "the lock file is unreadable" : goneBecause(owner, dir);
  if (gone === undefined && owner !== undefined) {
    throw new StoreError(
      "data_dir_in_use",
      `data directory ${dir} is in use by another gateway (pid ${owner.pid} on ${owner.host}, since ${owner.since}); ` +
        `stop it, or use another CYXWIZ_DATA_DIR. If no gateway is running there, delete ${path}.`,
    );
  }
  log?.warn({ path, owner, reason: gone }, "taking over the data directory lock of a gateway that is gone");
  await unlink(path).catch((e: NodeJS.ErrnoException) => {
    if (e.code !== "ENOENT") throw e;
  });
}

async function release(dir: string, path: string, me: LockOwner): Promise<void> {
  if (!heldHere.delete(dir)) return;
  const owner = parseOwner(await readFile(path, "utf8").catch(() => ""));
  // Only our own record is removed: if another process took the lock over, it is theirs now.
  if (owner?.pid === me.pid && owner.since === me.since) await unlink(path).catch(() => undefined);
}
