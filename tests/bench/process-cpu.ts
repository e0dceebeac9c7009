/**
 * CPU time of the benchmark's processes from Linux's /proc/PID/stat (user + system, all threads),
 * so each upload method can be charged what it cost the 2 shared cores, client and server.
 */
import { readFile } from "node:fs/promises";

/** USER_HZ: the unit of utime and stime in /proc/PID/stat (100 on Linux x86-64). */
const TICKS_PER_SECOND = 100;

/** User + system CPU time of `pid` (every thread) in ms, or undefined when it is gone. */
export async function cpuTimeMs(pid: number): Promise<number | undefined> {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, "utf8");
    // pid (comm) state ppid … utime stime: fields 14 and 15, counted after the last ")".
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / TICKS_PER_SECOND;
  } catch {
    return undefined;
  }
}

/** CPU time (ms) of each of `pids` that is alive. */
export async function cpuTimes(pids: readonly number[]): Promise<Map<number, number>> {
  const out = new Map<number, number>();
  for (const pid of pids) {
    const ms = await cpuTimeMs(pid);
    if (ms !== undefined) out.set(pid, ms);
  }
  return out;
}

/** CPU ms spent between two snapshots by the processes alive in both. */
export function cpuSpent(before: ReadonlyMap<number, number>, after: ReadonlyMap<number, number>): number {
  let ms = 0;
  for (const [pid, t] of after) {
    const t0 = before.get(pid);
    if (t0 !== undefined) ms += t - t0;
  }
  return ms;
}
