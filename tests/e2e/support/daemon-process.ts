import { type ChildProcess, spawn } from "node:child_process";
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { repoRoot } from "./gateway-process.js";

/** A `cyxwiz daemon` in its own process, as a user starts one. */
export interface DaemonProcess {
  readonly dataDir: string;
  /** Resolves with the node id once the daemon has registered. */
  readonly registered: Promise<string>;
  /** SIGKILL: no Leave, as a crash or a pulled plug. */
  kill(): Promise<void>;
  /** SIGTERM: leaves cleanly; resolves with the exit code. */
  stop(): Promise<number>;
  /** Everything it printed. */
  output(): string;
}

/** Starts `cyxwiz daemon --gateway URL --data-dir <fresh dir> --json` with the given extra options. */
export async function startDaemonProcess(
  gatewayUrl: string,
  args: string[] = [],
  env: Record<string, string> = {},
): Promise<DaemonProcess> {
  const dataDir = await mkdtemp(join(tmpdir(), "cyxwiz-e2e-daemon-"));
  let log = "";
  const child: ChildProcess = spawn(
    process.execPath,
    [
      join(repoRoot, "apps/node-daemon/bin/cyxwiz.mjs"),
      "daemon",
      "--gateway",
      gatewayUrl,
      "--data-dir",
      dataDir,
      "--json",
      ...args,
    ],
    { env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] },
  );
  const exited = new Promise<number>((resolve) =>
    child.once("exit", (code, signal) => resolve(code ?? (signal ? 128 : -1))),
  );
  const registered = new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the daemon did not register in 60 s:\n${log}`)), 60_000);
    const onData = (d: Buffer) => {
      log += d.toString();
      const m = /"nodeId":"(node_[0-9a-f]{32})"/.exec(log);
      if (m !== null) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    };
    child.stdout?.on("data", onData);
    child.stderr?.on("data", onData);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`the daemon exited (${code}) before it registered:\n${log}`));
    });
  });
  registered.catch(() => undefined);
  return {
    dataDir,
    registered,
    kill: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
      await exited;
    },
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
      return exited;
    },
    output: () => log,
  };
}
