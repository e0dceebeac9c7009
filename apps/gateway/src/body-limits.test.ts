import { type ChildProcess, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, readFile, rename, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { createGzip } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { http1Request, rpcOutcome, streamBody } from "../test-support/raw-rpc.js";
import { GATEWAY_NODE_FLAGS } from "./node-flags.js";

/**
 * Issue 8, finding 1: no body is read before its sender is authenticated (ARCHITECTURE §7), and
 * every body is capped, compressed and decompressed, per method. The gateway runs as a child
 * process here so that its resident memory is its own: the attacks below must not grow it.
 */

const MiB = 1024 * 1024;
const BOMB_MIB = 512;

/** gzip of 512 MiB of spaces (about 500 KiB), built once and kept in the temp directory. */
async function gzipBomb(): Promise<Uint8Array> {
  const path = join(tmpdir(), `cyxwiz-test-gzip-bomb-${BOMB_MIB}m.gz`);
  if (existsSync(path)) return new Uint8Array(await readFile(path));
  const gz = createGzip({ level: 9 });
  const parts: Buffer[] = [];
  gz.on("data", (d: Buffer) => parts.push(d));
  const done = new Promise((resolve) => gz.on("end", resolve));
  const block = Buffer.alloc(MiB, 0x20);
  for (let i = 0; i < BOMB_MIB; i++) if (!gz.write(block)) await new Promise((r) => gz.once("drain", r));
  gz.end();
  await done;
  const bomb = Buffer.concat(parts);
  await writeFile(`${path}.${process.pid}`, bomb);
  await rename(`${path}.${process.pid}`, path);
  return new Uint8Array(bomb);
}

interface ChildGateway {
  readonly url: string;
  readonly pid: number;
  readonly adminToken: string;
  stop(): Promise<void>;
}

/** `npm start`'s command line, on a free port and a fresh data directory. */
async function spawnGateway(env: Record<string, string> = {}): Promise<ChildGateway> {
  const dir = await mkdtemp(join(tmpdir(), "cyxwiz-gw-child-"));
  const cwd = fileURLToPath(new URL("..", import.meta.url));
  const child: ChildProcess = spawn(process.execPath, [...GATEWAY_NODE_FLAGS, "--import", "tsx", "src/main.ts"], {
    cwd,
    env: { ...process.env, PORT: "0", HOST: "127.0.0.1", CYXWIZ_DATA_DIR: dir, LOG_LEVEL: "warn", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  child.stdout!.on("data", (d: Buffer) => {
    out += d.toString();
  });
  child.stderr!.on("data", (d: Buffer) => {
    out += d.toString();
  });
  const port = await new Promise<string>((resolve, reject) => {
    const check = () => {
      const m = /Open http:\/\/127\.0\.0\.1:(\d+)\//.exec(out);
      if (m !== null) resolve(m[1]!);
    };
    child.stdout!.on("data", check);
    child.once("exit", (code) => reject(new Error(`gateway exited (${code}): ${out}`)));
  });
  return {
    url: `http://127.0.0.1:${port}`,
    pid: child.pid!,
    adminToken: (await readFile(join(dir, "admin-token"), "utf8")).trim(),
    async stop() {
      const exited = new Promise((resolve) => child.once("exit", resolve));
      child.kill("SIGTERM");
      await exited;
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** VmRSS (resident now) or VmHWM (resident at its peak) of a process, in bytes. */
async function memory(pid: number, field: "VmRSS" | "VmHWM"): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, "utf8");
  const kb = new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(status)?.[1];
  if (kb === undefined) throw new Error(`no ${field} in /proc/${pid}/status`);
  return Number(kb) * 1024;
}

let gw: ChildGateway;
let bomb: Uint8Array;
beforeAll(async () => {
  [gw, bomb] = await Promise.all([spawnGateway(), gzipBomb()]);
}, 120_000);
afterAll(async () => {
  await gw?.stop();
});

const whoAmI = "/cyxwiz.data.v1.AuthService/WhoAmI";
const commit = "/cyxwiz.data.v1.DatasetService/CommitUpload";
const gzipProto = { "content-type": "application/proto", "content-encoding": "gzip" };

describe("request bodies: authenticated before read, capped per method (issue 8, finding 1)", () => {
  it("refuses gzip bombs and oversized bodies at once, keeps /healthz fast, and its memory does not grow", async () => {
    // Warm up, so the baseline includes what serving ordinary requests costs.
    for (let i = 0; i < 20; i++) {
      const r = await http1Request(gw.url, {
        path: whoAmI,
        headers: { "content-type": "application/json", authorization: `Bearer ${gw.adminToken}` },
        body: new TextEncoder().encode("{}"),
      });
      expect(r.status).toBe(200);
    }
    await new Promise((r) => setTimeout(r, 500));
    // Reset the peak to the present (Linux: "5" to clear_refs), so VmHWM below is the attack's peak.
    await writeFile(`/proc/${gw.pid}/clear_refs`, "5");
    const rss0 = await memory(gw.pid, "VmRSS");
    const peak0 = await memory(gw.pid, "VmHWM");
    expect(peak0 - rss0).toBeLessThan(16 * MiB);

    // /healthz answers quickly all through the attacks.
    let probing = true;
    const healthLatencies: number[] = [];
    const prober = (async () => {
      while (probing) {
        const t = performance.now();
        const ok = await fetch(`${gw.url}/healthz`).then(
          (res) => res.status === 200,
          () => false,
        );
        healthLatencies.push(ok ? performance.now() - t : Number.POSITIVE_INFINITY);
        await new Promise((r) => setTimeout(r, 100));
      }
    })();

    // Three unauthenticated bombs at once: refused before a byte of them is read.
    const anonymous = await Promise.all(
      [0, 1, 2].map(() => http1Request(gw.url, { path: whoAmI, headers: gzipProto, body: bomb })),
    );
    for (const r of anonymous) expect(rpcOutcome("connect", r)).toMatchObject({ code: "Unauthenticated", status: 401 });

    // With a valid token: over WhoAmI's cap compressed, refused by its declared length.
    const auth = { authorization: `Bearer ${gw.adminToken}` };
    const tokenBomb = await http1Request(gw.url, { path: whoAmI, headers: { ...gzipProto, ...auth }, body: bomb });
    expect(rpcOutcome("connect", tokenBomb)).toMatchObject({ code: "ResourceExhausted", status: 413 });
    // Under CommitUpload's larger cap compressed, but not once inflated: decompression stops at the cap.
    const commitBombs = await Promise.all(
      [0, 1, 2].map(() => http1Request(gw.url, { path: commit, headers: { ...gzipProto, ...auth }, body: bomb })),
    );
    for (const r of commitBombs) {
      const o = rpcOutcome("connect", r);
      expect(o).toMatchObject({ code: "ResourceExhausted", status: 413 });
      expect(o.message).toMatch(/after decompression/);
    }

    // 50 MiB of JSON with a valid token, declared up front: answered before the body is sent.
    const declared = await streamBody(gw.url, whoAmI, { "content-type": "application/json", ...auth }, 50 * MiB);
    expect(declared.status).toBe(413);
    expect(declared.response).toMatch(/resource_exhausted/);
    expect(declared.sentBeforeAnswer).toBeLessThan(16 * MiB);
    // The same without a declared length (chunked): reading stops at the cap.
    const chunked = await streamBody(gw.url, whoAmI, { "content-type": "application/json", ...auth }, 50 * MiB, {
      chunked: true,
    });
    expect(chunked.status).toBe(413);
    expect(chunked.response).toMatch(/resource_exhausted/);
    expect(chunked.sentBeforeAnswer).toBeLessThan(16 * MiB);

    probing = false;
    await prober;
    const rss1 = await memory(gw.pid, "VmRSS");
    const peak1 = await memory(gw.pid, "VmHWM");
    console.info(
      `gateway RSS ${Math.round(rss0 / MiB)} -> ${Math.round(rss1 / MiB)} MiB (peak ${Math.round(peak0 / MiB)} -> ${Math.round(peak1 / MiB)} MiB); /healthz at most ${Math.round(Math.max(...healthLatencies))} ms`,
    );
    expect(rss1 - rss0).toBeLessThan(200 * MiB);
    expect(peak1 - peak0).toBeLessThan(200 * MiB);
    expect(Math.max(...healthLatencies)).toBeLessThan(1000);
    // and the gateway still serves
    const after = await http1Request(gw.url, {
      path: whoAmI,
      headers: { "content-type": "application/json", ...auth },
      body: new TextEncoder().encode("{}"),
    });
    expect(after.status).toBe(200);
  }, 300_000);
});
