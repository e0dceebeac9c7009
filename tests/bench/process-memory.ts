/**
 * Memory of the benchmark's child processes, from Linux's /proc: the resident set (VmRSS), its
 * high-water mark (VmHWM), and the descendants of a process (Chromium's renderers are children
 * of its zygote, not of the browser process itself).
 */
import { readdir, readFile, writeFile } from "node:fs/promises";

/** One process's memory, KiB. */
export interface ProcessMemory {
  readonly pid: number;
  readonly rssKiB: number;
  readonly hwmKiB: number;
}

/** VmRSS and VmHWM of `pid`, or undefined when it is gone. */
export async function readMemory(pid: number): Promise<ProcessMemory | undefined> {
  let text: string;
  try {
    text = await readFile(`/proc/${pid}/status`, "utf8");
  } catch {
    return undefined;
  }
  const field = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, "m").exec(text)?.[1] ?? Number.NaN);
  return { pid, rssKiB: field("VmRSS"), hwmKiB: field("VmHWM") };
}

/**
 * Sets a process's VmHWM back to its current RSS (writing "5" to /proc/PID/clear_refs, Linux
 * ≥ 4.0), so a later VmHWM is the peak of what happened in between. False when not permitted.
 */
export async function resetPeak(pid: number): Promise<boolean> {
  try {
    await writeFile(`/proc/${pid}/clear_refs`, "5");
    return true;
  } catch {
    return false;
  }
}

/** The command line of `pid`, arguments joined by spaces ("" when it is gone). */
export async function commandLine(pid: number): Promise<string> {
  try {
    return (await readFile(`/proc/${pid}/cmdline`, "utf8")).split("\0").join(" ").trim();
  } catch {
    return "";
  }
}

/** Every live descendant of `root` (children, their children…), not `root` itself. */
export async function descendants(root: number): Promise<number[]> {
  const parentOf = new Map<number, number>();
  for (const name of await readdir("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = await readFile(`/proc/${name}/stat`, "utf8");
      // pid (comm) state ppid …; comm may contain spaces and parentheses: split after the last ")".
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      parentOf.set(Number(name), ppid);
    } catch {
      // the process ended while we looked
    }
  }
  const out: number[] = [];
  const frontier = [root];
  while (frontier.length > 0) {
    const p = frontier.pop()!;
    for (const [child, parent] of parentOf) {
      if (parent === p) {
        out.push(child);
        frontier.push(child);
      }
    }
  }
  return out;
}

/** The role of a Chromium process from its command line: "renderer", "gpu-process", "utility:network", … or "browser". */
export function chromiumRole(cmdline: string): string {
  const type = /--type=(\S+)/.exec(cmdline)?.[1];
  if (type === undefined) return "browser";
  if (type === "utility") return `utility:${/--utility-sub-type=(\S+)/.exec(cmdline)?.[1] ?? "?"}`;
  return type;
}

/** Peak memory of a set of processes over a stretch of time: max sampled VmRSS and VmHWM at the end. */
export interface PeakMemory {
  readonly pid: number;
  readonly role: string;
  readonly peakRssKiB: number;
  /** VmHWM read at the end; the peak since {@link resetPeak} when `hwmReset`. */
  readonly hwmKiB: number;
  readonly hwmReset: boolean;
}

/**
 * Samples VmRSS of `processes` every `intervalMs` while `work` runs (after resetting each one's
 * VmHWM), then reads VmHWM; resolves with the work's value and each process's peaks.
 */
export async function samplePeaks<T>(
  processes: ReadonlyArray<{ readonly pid: number; readonly role: string }>,
  work: () => Promise<T>,
  intervalMs = 100,
): Promise<{ value: T; peaks: PeakMemory[] }> {
  // The list is fixed up front: walking /proc for descendants at every sample would cost the
  // measured machine more CPU than the sampling itself.
  const tracked = new Map<number, { role: string; peak: number; reset: boolean }>();
  for (const p of processes) tracked.set(p.pid, { role: p.role, peak: 0, reset: await resetPeak(p.pid) });
  const track = async () => {
    for (const [pid, t] of tracked) {
      const m = await readMemory(pid);
      if (m !== undefined && m.rssKiB > t.peak) t.peak = m.rssKiB;
    }
  };
  await track();
  let stop = false;
  const sampler = (async () => {
    while (!stop) {
      await new Promise((r) => setTimeout(r, intervalMs));
      await track();
    }
  })();
  try {
    const value = await work();
    return {
      value,
      peaks: await Promise.all(
        [...tracked].map(async ([pid, t]) => ({
          pid,
          role: t.role,
          peakRssKiB: t.peak,
          hwmKiB: (await readMemory(pid))?.hwmKiB ?? Number.NaN,
          hwmReset: t.reset,
        })),
      ),
    };
  } finally {
    stop = true;
    await sampler;
  }
}
