import { type ChildProcess, spawn } from "node:child_process";
import { mkdtemp, rm, stat } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
// The fake is test support of @cyxwiz/client that its package exports do not list yet.
import { FakeNodeService } from "../../../packages/client/test-support/fake-node-service.js";
import { cliPath, runCli } from "./run-cli.js";

let dir: string;
let server: Server | undefined;
let child: ChildProcess | undefined;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "cyxwiz-daemon-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});
afterEach(async () => {
  child?.kill("SIGKILL");
  child = undefined;
  await new Promise((resolve) => (server === undefined ? resolve(undefined) : server.close(resolve)));
  server = undefined;
});

/** The fake NodeService on a real HTTP server (connect-node), on a free port. */
async function serve(fake: FakeNodeService): Promise<string> {
  server = createServer(fake.handler());
  await new Promise<void>((resolve) => server!.listen(0, "127.0.0.1", resolve));
  return `http://127.0.0.1:${(server!.address() as AddressInfo).port}`;
}

/** Starts `cyxwiz daemon --json ...`; `lines` collects its JSON log, `exited` its exit code. */
function daemon(args: string[]) {
  const lines: Record<string, unknown>[] = [];
  let stderr = "";
  let buffered = "";
  child = spawn(process.execPath, [cliPath, "daemon", "--json", ...args], { stdio: ["ignore", "pipe", "pipe"] });
  child.stdout!.on("data", (d) => {
    buffered += d;
    const parts = buffered.split("\n");
    buffered = parts.pop()!;
    for (const p of parts) if (p.trim() !== "") lines.push(JSON.parse(p));
  });
  child.stderr!.on("data", (d) => (stderr += d));
  const proc = child;
  const exited = new Promise<number>((resolve) => proc.on("close", (code) => resolve(code ?? -1)));
  const waitFor = async (test: (l: Record<string, unknown>) => boolean, timeoutMs = 120_000) => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = lines.find(test);
      if (found !== undefined) return found;
      if (Date.now() > deadline || proc.exitCode !== null)
        throw new Error(`no such log line; log: ${JSON.stringify(lines)} stderr: ${stderr}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  };
  return { lines, exited, waitFor, proc, stderr: () => stderr };
}

describe("cyxwiz daemon: bad options", () => {
  it("refuses a bad --max-storage or --gateway with exit 2, naming the option, and writes nothing", async () => {
    const dataDir = join(dir, "never-made");
    const bad = await runCli([
      "daemon",
      "--gateway",
      "http://127.0.0.1:9",
      "--data-dir",
      dataDir,
      "--max-storage",
      "lots",
    ]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--max-storage "lots" is not a positive size');
    const badUrl = await runCli(["daemon", "--gateway", "ftp://gateway", "--data-dir", dataDir]);
    expect(badUrl.code).toBe(2);
    expect(badUrl.stderr).toContain("--gateway must be an http:// or https:// URL");
    await expect(stat(dataDir)).rejects.toThrow(/ENOENT/);
  });
});

describe("cyxwiz daemon against a NodeService over HTTP", () => {
  it("registers, trains one assignment with a signed update, leaves on SIGTERM (exit 0), and keeps its identity", async () => {
    const fake = await FakeNodeService.create();
    const url = await serve(fake);
    const dataDir = join(dir, "node-a");
    const d = daemon(["--gateway", url, "--data-dir", dataDir, "--label", "test daemon"]);
    const identity = await d.waitFor((l) => l.type === "identity");
    expect(identity.created).toBe(true);
    expect((await stat(join(dataDir, "identity.json"))).mode & 0o777).toBe(0o600);
    const registered = await d.waitFor((l) => l.type === "registered");
    expect(registered.nodeId).toBe(identity.nodeId);
    expect(fake.node.label).toBe("test daemon");
    await fake.assign({ jobId: "job_d", chunks: [0, 1] });
    const backend = await d.waitFor((l) => l.type === "backend");
    expect(backend).toMatchObject({ backend: "wasm" });
    expect(String(backend.reason)).toMatch(
      /webgpu passed over: (no WebGPU adapter|the WebGPU adapter is a software fallback)/,
    );
    await d.waitFor((l) => l.type === "submitted");
    expect(fake.updates).toHaveLength(1);
    expect(fake.updates[0]).toMatchObject({
      signatureValid: true,
      backend: "wasm",
      samples: fake.dataset.rows[0]! + fake.dataset.rows[1]!,
    });
    d.proc.kill("SIGTERM");
    expect(await d.exited).toBe(0);
    expect(fake.left).toHaveLength(1);
    expect(fake.erasures).toEqual([{ nodeId: identity.nodeId, jobId: "job_d", chunks: 2, overwritten: true }]);
    expect(d.lines.at(-1)).toMatchObject({ type: "left" });

    // Restarted: the same identity, loaded, not created.
    const again = daemon(["--gateway", url, "--data-dir", dataDir]);
    const second = await again.waitFor((l) => l.type === "identity");
    expect(second).toMatchObject({ created: false, nodeId: identity.nodeId });
    await again.waitFor((l) => l.type === "registered");
    again.proc.kill("SIGINT");
    expect(await again.exited).toBe(0);
  });

  it("does not train a shard larger than --max-storage, naming both sizes", async () => {
    const fake = await FakeNodeService.create();
    const url = await serve(fake);
    const d = daemon([
      "--gateway",
      url,
      "--data-dir",
      join(dir, "node-small"),
      "--max-storage",
      "1500B",
      "--backend",
      "cpu",
    ]);
    await d.waitFor((l) => l.type === "registered");
    await fake.assign({ jobId: "job_big", chunks: [0, 1, 2] });
    const error = await d.waitFor((l) => l.type === "error");
    expect(String(error.message)).toMatch(
      /the shard's chunks need at least \d+ bytes; the chunk store holds at most 1500/,
    );
    expect(d.lines.some((l) => l.type === "batch")).toBe(false);
    expect(fake.updates).toHaveLength(0);
    d.proc.kill("SIGTERM");
    expect(await d.exited).toBe(0);
  });
});
