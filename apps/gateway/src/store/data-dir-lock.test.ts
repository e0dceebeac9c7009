import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { DATA_DIR_LOCK_FILE, lockDataDir } from "./data-dir-lock.js";
import { isStoreError } from "./store-error.js";

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "cyxwiz-lock-"));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const lockPath = () => join(dir, DATA_DIR_LOCK_FILE);
const owner = async () => JSON.parse(await readFile(lockPath(), "utf8")) as { pid: number; host: string };

/** A logger that keeps what it is told. */
function recordingLog() {
  const warnings: Array<{ fields: object; message: string }> = [];
  return { warnings, info() {}, warn: (fields: object, message: string) => warnings.push({ fields, message }) };
}

async function refusal(p: Promise<unknown>): Promise<Error & { code?: string }> {
  try {
    await p;
  } catch (e) {
    return e as Error & { code?: string };
  }
  throw new Error("expected the lock to be refused");
}

/** Start time (field 22 of /proc/<pid>/stat) of a live process. */
function procStart(pid: number): string {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  return stat.slice(stat.lastIndexOf(")") + 2).split(" ")[19]!;
}

/** The PID of a process that has exited (and been reaped). */
function deadPid(): number {
  const child = spawnSync(process.execPath, ["-e", "process.stdout.write(String(process.pid))"], { encoding: "utf8" });
  return Number(child.stdout);
}

describe("data directory lock", () => {
  it("records this process as the owner, refuses a second taker in the same process, and frees on release", async () => {
    const lock = await lockDataDir(dir);
    expect(await owner()).toMatchObject({ pid: process.pid, host: hostname() });
    const second = await refusal(lockDataDir(dir));
    expect(isStoreError(second)).toBe(true);
    expect(second.code).toBe("data_dir_in_use");
    expect(second.message).toContain(`pid ${process.pid}`);
    await lock.release();
    await lock.release(); // twice is harmless
    expect(await readdir(dir)).toEqual([]); // no lock file, no draft left behind
    const again = await lockDataDir(dir);
    await again.release();
  });

  it("refuses while another live process holds the directory, and leaves its lock alone", async () => {
    const live = process.ppid; // the test runner's parent: alive, same machine, not us
    const text = `${JSON.stringify({ pid: live, host: hostname(), procStart: procStart(live), since: "2026-01-01T00:00:00.000Z" })}\n`;
    await writeFile(lockPath(), text);
    const e = await refusal(lockDataDir(dir));
    expect(e.code).toBe("data_dir_in_use");
    expect(e.message).toContain(`pid ${live}`);
    expect(e.message).toContain(lockPath()); // says which file to delete if that gateway is gone
    expect(await readFile(lockPath(), "utf8")).toBe(text);
    expect(await readdir(dir)).toEqual([DATA_DIR_LOCK_FILE]);
  });

  it("refuses a lock from another machine, which it cannot check", async () => {
    await writeFile(lockPath(), JSON.stringify({ pid: 1, host: "another-host.example", procStart: null, since: "" }));
    expect((await refusal(lockDataDir(dir))).code).toBe("data_dir_in_use");
  });

  it.each([
    ["its process has exited", () => ({ pid: deadPid(), host: hostname(), procStart: null, since: "" })],
    [
      "its PID now belongs to a later process",
      () => ({ pid: process.ppid, host: hostname(), procStart: "1", since: "" }),
    ],
  ])("takes over a lock whose owner is gone (%s), and logs it", async (_why, stale) => {
    await writeFile(lockPath(), JSON.stringify(stale()));
    const log = recordingLog();
    const lock = await lockDataDir(dir, log);
    expect(await owner()).toMatchObject({ pid: process.pid });
    expect(log.warnings).toHaveLength(1);
    expect(log.warnings[0]!.message).toMatch(/taking over/);
    await lock.release();
  });

  it("takes over an unreadable lock file", async () => {
    await writeFile(lockPath(), "not json");
    const lock = await lockDataDir(dir);
    expect(await owner()).toMatchObject({ pid: process.pid });
    await lock.release();
  });

  it("does not delete a lock that another process took over meanwhile", async () => {
    const lock = await lockDataDir(dir);
    const theirs = JSON.stringify({ pid: process.ppid, host: hostname(), procStart: null, since: "later" });
    await writeFile(lockPath(), theirs);
    await lock.release();
    expect(await readFile(lockPath(), "utf8")).toBe(theirs);
  });
});
