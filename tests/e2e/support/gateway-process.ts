import { type ChildProcess, spawn } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

export const repoRoot = fileURLToPath(new URL("../../../", import.meta.url));

/** A free loopback port (so a gateway can be restarted on the same one). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

/** The real gateway, started as `npm start` starts it (tsx src/main.ts), in its own process. */
export interface GatewayProcess {
  readonly url: string;
  readonly port: number;
  readonly dataDir: string;
  readonly adminPassword: string;
  readonly adminToken: string;
  /** SIGKILL: no shutdown, as a crash. */
  kill(): Promise<void>;
  /** Starts the gateway again on the same port and data directory. */
  restart(): Promise<void>;
  stop(): Promise<void>;
  /** Everything the process printed. */
  output(): string;
}

/**
 * Starts the gateway on a free loopback port and a fresh data directory; `env` adds variables
 * (CYXWIZ_TLS=1 for https: the URL follows what the banner says).
 */
export async function startGatewayProcess(env: Record<string, string> = {}): Promise<GatewayProcess> {
  const dataDir = await mkdtemp(join(tmpdir(), "cyxwiz-e2e-"));
  const port = await freePort();
  let child: ChildProcess | undefined;
  let log = "";
  let scheme = "http";
  const launch = () =>
    new Promise<void>((resolve, reject) => {
      const c = spawn(process.execPath, ["--import", "tsx", "src/main.ts"], {
        cwd: join(repoRoot, "apps/gateway"),
        env: { ...process.env, PORT: String(port), CYXWIZ_DATA_DIR: dataDir, LOG_LEVEL: "warn", ...env },
        stdio: ["ignore", "pipe", "pipe"],
      });
      child = c;
      const timer = setTimeout(() => reject(new Error(`the gateway did not start in 60 s:\n${log}`)), 60_000);
      const onData = (d: Buffer) => {
        log += d.toString();
        const up = new RegExp(`Open (https?)://127\\.0\\.0\\.1:${port}/`).exec(log);
        if (up !== null) {
          scheme = up[1]!;
          clearTimeout(timer);
          resolve();
        }
      };
      c.stdout?.on("data", onData);
      c.stderr?.on("data", (d: Buffer) => (log += d.toString()));
      c.once("exit", (code) => {
        clearTimeout(timer);
        reject(new Error(`the gateway exited (${code}) before it was up:\n${log}`));
      });
    });
  await launch();
  const exited = () =>
    new Promise<void>((resolve) =>
      child === undefined || child.exitCode !== null || child.signalCode !== null
        ? resolve()
        : child.once("exit", () => resolve()),
    );
  return {
    url: `${scheme}://127.0.0.1:${port}`,
    port,
    dataDir,
    adminPassword: (await readFile(join(dataDir, "admin-password"), "utf8")).trim(),
    adminToken: (await readFile(join(dataDir, "admin-token"), "utf8")).trim(),
    async kill() {
      child?.kill("SIGKILL");
      await exited();
    },
    async restart() {
      await launch();
    },
    async stop() {
      child?.kill("SIGTERM");
      await exited();
      await rm(dataDir, { recursive: true, force: true });
    },
    output: () => log,
  };
}

/**
 * Reads one counter of the gateway's /metrics (summed over its label sets), with the admin token
 * from the data directory: /metrics answers only an admin's bearer token.
 */
export async function metric(
  gateway: Pick<GatewayProcess, "url" | "adminToken">,
  name: string,
  labels = "",
): Promise<number> {
  const response = await fetch(`${gateway.url}/metrics`, {
    headers: { authorization: `Bearer ${gateway.adminToken}` },
  });
  if (!response.ok) throw new Error(`GET /metrics: HTTP ${response.status} ${await response.text()}`);
  const text = await response.text();
  let sum = 0;
  for (const line of text.split("\n")) {
    if (
      line.startsWith(`${name}${labels === "" ? "" : `{${labels}}`}`) &&
      (labels !== "" || /^[a-z_]+(\{[^}]*\})? /.test(line))
    ) {
      sum += Number(line.split(" ").at(-1));
    }
  }
  return sum;
}
