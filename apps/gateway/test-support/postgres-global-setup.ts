import { execFile as execFileCallback, execFileSync } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import { chown, mkdtemp, readFile, rm } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import type { TestProject } from "vitest/node";

const execFile = promisify(execFileCallback);

declare module "vitest" {
  export interface ProvidedContext {
    /**
     * Superuser URL of the throwaway PostgreSQL server this setup starts, read with
     * `inject("postgresUrl")`. Tests create their own databases on it (CREATE DATABASE), so test
     * files running in parallel never share one.
     */
    postgresUrl: string;
  }
}

/** Where Debian's postgresql package puts the server binaries: /usr/lib/postgresql/<major>/bin. */
const debianPostgresRoot = "/usr/lib/postgresql";

/** The newest installed major version's bin directory, or undefined when there is none. */
function findPostgresBin(): string | undefined {
  if (!existsSync(debianPostgresRoot)) return undefined;
  const majors = readdirSync(debianPostgresRoot)
    .filter((v) => /^\d+$/.test(v) && existsSync(join(debianPostgresRoot, v, "bin", "initdb")))
    .sort((a, b) => Number(b) - Number(a));
  return majors[0] === undefined ? undefined : join(debianPostgresRoot, majors[0], "bin");
}

/** A port on 127.0.0.1 nobody listens on right now (the OS picks it; we release it for postgres). */
async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/**
 * Starts a throwaway PostgreSQL cluster for the metadata-store tests (ARCHITECTURE §5: "Tests run
 * the store against both" PGlite and a real server), provides its URL, and stops and deletes it
 * at teardown. initdb refuses to run as root, so as root (the test machines) every server binary
 * runs as the `postgres` OS user through runuser; the data directory under /tmp is owned by it.
 * The cluster listens on 127.0.0.1 only, with trust authentication, and trades durability for
 * speed (fsync off): it lives for one test run.
 *
 * Missing binaries FAIL the run instead of skipping the PostgreSQL half of the suite, so a green
 * run always means both drivers were tested.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const bin = findPostgresBin();
  if (bin === undefined) {
    throw new Error(
      `PostgreSQL server binaries not found (${debianPostgresRoot}/<version>/bin/initdb): the gateway's metadata-store tests need them. Run scripts/test.sh, which installs Debian's postgresql package (or: apt-get install -y postgresql).`,
    );
  }
  const asRoot = process.getuid?.() === 0;
  const runAs = (command: string, args: string[]) =>
    asRoot
      ? execFile("runuser", ["-u", "postgres", "--", join(bin, command), ...args])
      : execFile(join(bin, command), args);

  const dir = await mkdtemp(join(tmpdir(), "cyxwiz-pg-"));
  if (asRoot) {
    const uid = Number(execFileSync("id", ["-u", "postgres"], { encoding: "utf8" }).trim());
    const gid = Number(execFileSync("id", ["-g", "postgres"], { encoding: "utf8" }).trim());
    await chown(dir, uid, gid);
  }
  const dataDir = join(dir, "data");
  const logFile = join(dir, "server.log");
  let started = false;

  const teardown = async () => {
    if (started) await runAs("pg_ctl", ["-D", dataDir, "-m", "immediate", "-w", "stop"]).catch(() => undefined);
    await rm(dir, { recursive: true, force: true });
  };

  try {
    await runAs("initdb", [
      "-D",
      dataDir,
      "-U",
      "postgres",
      "--auth=trust",
      "--encoding=UTF8",
      "--locale=C",
      "--no-sync",
    ]);
    // A port freed by freePort() can be taken by someone else before postgres binds it; try again.
    for (let attempt = 1; ; attempt++) {
      const port = await freePort();
      const serverOptions = [
        "-c listen_addresses=127.0.0.1",
        `-c port=${port}`,
        `-c unix_socket_directories=${dir}`,
        "-c fsync=off",
        "-c synchronous_commit=off",
        "-c full_page_writes=off",
        "-c max_connections=200",
      ].join(" ");
      try {
        await runAs("pg_ctl", ["-D", dataDir, "-l", logFile, "-o", serverOptions, "-w", "-t", "30", "start"]);
        started = true;
        project.provide("postgresUrl", `postgres://postgres@127.0.0.1:${port}/postgres`);
        return teardown;
      } catch (e) {
        if (attempt >= 3) throw e;
      }
    }
  } catch (e) {
    const log = await readFile(logFile, "utf8").catch(() => "(no server log)");
    await teardown();
    throw new Error(`could not start the throwaway PostgreSQL server in ${dir}: ${(e as Error).message}\n${log}`, {
      cause: e,
    });
  }
}
