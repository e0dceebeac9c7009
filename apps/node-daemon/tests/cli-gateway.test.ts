import { spawn } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type FakeGateway, startFakeGateway } from "@cyxwiz/client/testing";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { cliPath, runCli } from "./run-cli.js";

let dir: string;
let stateDir: string;
let gateway: FakeGateway;
const sha = (b: Uint8Array) => createHash("sha256").update(b).digest("hex");
const env = () => ({ CYXWIZ_TOKEN: gateway.token, CYXWIZ_STATE_DIR: stateDir });
const tmp = (name: string) => join(dir, `${name}-${Math.random().toString(36).slice(2)}`);

/** A file whose first half compresses (zeros) and second half does not (random). */
async function makeFile(size: number): Promise<string> {
  const path = tmp("data");
  const bytes = Buffer.alloc(size);
  randomBytes(Math.ceil(size / 2)).copy(bytes, Math.floor(size / 2));
  await writeFile(path, bytes);
  return path;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "cyxwiz-cli-gateway-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});
afterEach(async () => {
  await gateway?.close();
});

async function start(options: Parameters<typeof startFakeGateway>[0] = {}) {
  gateway = await startFakeGateway(options);
  stateDir = tmp("state");
}

describe("cyxwiz upload | ls | download against a gateway", () => {
  it("round-trips a plain file and an encrypted, compressed one with escrow", async () => {
    await start();
    const file = await makeFile(300_000);
    const up = await runCli(
      ["upload", file, "--gateway", gateway.url, "--name", "plain", "--chunk-size", "64KiB", "--json"],
      env(),
    );
    expect(up.code, up.stderr).toBe(0);
    const uploaded = JSON.parse(up.stdout);
    expect(uploaded).toMatchObject({
      ref: "plain@v1",
      numChunks: 5,
      totalSize: 300_000,
      codec: "none",
      encrypted: false,
      resumed: false,
    });

    const key = tmp("key");
    const up2 = await runCli(
      [
        "upload",
        file,
        "--gateway",
        gateway.url,
        "--name",
        "secret",
        "--classification",
        "internal",
        "--chunk-size",
        "64KiB",
        "--compress",
        "--encrypt",
        "--key-file",
        key,
        "--escrow",
        "--json",
      ],
      env(),
    );
    expect(up2.code, up2.stderr).toBe(0);
    expect(up2.stderr).toMatch(/wrote a new dataset key/);
    expect(JSON.parse(up2.stdout)).toMatchObject({
      ref: "secret@v1",
      codec: "zstd",
      encrypted: true,
      keyEscrowed: true,
    });
    expect((await stat(key)).mode & 0o777).toBe(0o600);

    const ls = await runCli(["ls", "--gateway", gateway.url, "--json"], env());
    expect(ls.code, ls.stderr).toBe(0);
    const listed = JSON.parse(ls.stdout).datasets;
    expect(listed.map((d: { ref: string }) => d.ref).sort()).toEqual(["plain@v1", "secret@v1"]);
    expect(listed.find((d: { ref: string }) => d.ref === "secret@v1")).toMatchObject({
      classification: "internal",
      encrypted: true,
      keyEscrowed: true,
      merkleRoot: JSON.parse(up2.stdout).merkleRoot,
    });
    const lsText = await runCli(["ls", "--gateway", gateway.url], env());
    expect(lsText.stdout).toMatch(/^REF\s+SIZE/);
    expect(lsText.stdout).toMatch(/secret@v1 .*yes \(escrowed\)/);

    const original = sha(await readFile(file));
    const out = tmp("plain.out");
    const down = await runCli(["download", "plain", "--gateway", gateway.url, "--out", out, "--json"], env());
    expect(down.code, down.stderr).toBe(0);
    expect(JSON.parse(down.stdout)).toMatchObject({
      ok: true,
      ref: "plain@v1",
      bytes: 300_000,
      merkleRoot: uploaded.merkleRoot,
    });
    expect(sha(await readFile(out))).toBe(original);

    const out2 = tmp("secret.out");
    const down2 = await runCli(
      ["download", "secret@v1", "--gateway", gateway.url, "--out", out2, "--key-file", key],
      env(),
    );
    expect(down2.code, down2.stderr).toBe(0);
    expect(down2.stdout).toMatch(/^ok: secret@v1 ->/);
    expect(sha(await readFile(out2))).toBe(original);

    const noKey = await runCli(["download", "secret@v1", "--gateway", gateway.url, "--out", tmp("nokey")], env());
    expect(noKey.code).toBe(2);
    expect(noKey.stderr).toMatch(/encrypted: its dataset key is needed.*CYXW_CLIENT_KEY/);
    expect(await readdir(stateDir).catch(() => [])).toEqual([]); // nothing left to resume
  });

  it("resumes an interrupted upload where it stopped, sending no chunk twice", async () => {
    await start({ window: 2, frameDelayMs: 25 });
    const file = await makeFile(40 * 4096);
    const args = ["upload", file, "--gateway", gateway.url, "--chunk-size", "4KiB", "--json"];
    const child = spawn(process.execPath, [cliPath, ...args], { env: { ...process.env, ...env() }, stdio: "ignore" });
    const exited = new Promise((resolve) => child.on("exit", resolve));
    while (gateway.frames.filter((f) => f.outcome === "ok").length < 8) await new Promise((r) => setTimeout(r, 10));
    child.kill("SIGKILL");
    await exited;
    // one state file (a temporary file may be left by the kill: the store cleans it up later)
    const stateFiles = (await readdir(stateDir)).filter((n) => n.endsWith(".json"));
    expect(stateFiles).toHaveLength(1);
    const stateFile = join(stateDir, stateFiles[0]!);
    expect((await stat(stateFile)).mode & 0o777).toBe(0o600);
    const before = gateway.frames.length;

    const again = await runCli(args, env());
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr).toMatch(/resuming transfer tr_fake_1: \d+ of 40 chunks already on the gateway/);
    expect(JSON.parse(again.stdout)).toMatchObject({
      ref: `${file.split("/").pop()}@v1`,
      resumed: true,
      transferId: "tr_fake_1",
    });
    expect(gateway.frames.length).toBeGreaterThan(before);
    expect(gateway.frames.filter((f) => f.outcome === "duplicate")).toEqual([]);
    expect(gateway.transfers.size).toBe(1);
    expect(await readdir(stateDir)).toEqual([]);

    const out = tmp("resumed.out");
    expect(
      (await runCli(["download", `${file.split("/").pop()}`, "--gateway", gateway.url, "--out", out], env())).code,
    ).toBe(0);
    expect(sha(await readFile(out))).toBe(sha(await readFile(file)));
  });
});

describe("cyxwiz token create | ls | revoke", () => {
  it("creates a token that works, lists it, revokes it, and the revoked token is refused", async () => {
    await start();
    const created = await runCli(
      ["token", "create", "--gateway", gateway.url, "--label", "nightly", "--days", "7", "--json"],
      env(),
    );
    expect(created.code, created.stderr).toBe(0);
    const { token, id, label, expiresAt } = JSON.parse(created.stdout);
    expect(id).toMatch(/^tok_/);
    expect(label).toBe("nightly");
    expect((Date.parse(expiresAt) - Date.now()) / 86_400_000).toBeCloseTo(7, 1);
    expect(created.stderr).toContain(`revoke it with: cyxwiz token revoke ${id} --gateway ${gateway.url}`);

    // without --json stdout is the token alone, ready to be a --token-file
    const plain = await runCli(["token", "create", "--gateway", gateway.url], env());
    expect(plain.code, plain.stderr).toBe(0);
    const tokenFile = tmp("token");
    await writeFile(tokenFile, plain.stdout, { mode: 0o600 });
    expect(plain.stdout.trim().split(".")).toHaveLength(3);
    expect((await runCli(["ls", "--gateway", gateway.url, "--token-file", tokenFile], {})).code).toBe(0);

    const withNew = { CYXWIZ_TOKEN: token, CYXWIZ_STATE_DIR: stateDir };
    expect((await runCli(["ls", "--gateway", gateway.url], withNew)).code).toBe(0);
    const listed = await runCli(["token", "ls", "--gateway", gateway.url], env());
    expect(listed.code, listed.stderr).toBe(0);
    expect(listed.stdout).toMatch(/^ID\s+LABEL\s+OWNER\s+CREATED\s+EXPIRES\s+REVOKED/);
    expect(listed.stdout).toMatch(new RegExp(`${id}\\s+nightly`));

    const revoked = await runCli(["token", "revoke", id, "--gateway", gateway.url], env());
    expect(revoked.code, revoked.stderr).toBe(0);
    expect(revoked.stdout).toBe(`revoked ${id} (nightly, fake)\n`);
    const refused = await runCli(["ls", "--gateway", gateway.url], withNew);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/the gateway refused the token.*CYXW_CLIENT_AUTH/);
    const after = JSON.parse((await runCli(["token", "ls", "--gateway", gateway.url, "--json"], env())).stdout);
    expect(after.tokens.find((t: { id: string }) => t.id === id).revokedAt).toMatch(/^\d{4}-/);

    const unknown = await runCli(["token", "revoke", "tok_nope", "--gateway", gateway.url], env());
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(
      /RevokeApiToken tok_nope at .*not found: no token tok_nope \[CYXW_CLIENT_NOT_FOUND\]/,
    );
  });

  it("refuses a bad --days or a missing id before contacting the gateway", async () => {
    await start();
    for (const days of ["0", "366", "1.5", "week"]) {
      const r = await runCli(["token", "create", "--gateway", gateway.url, "--days", days], env());
      expect(r.code, days).toBe(2);
      expect(r.stderr).toMatch(/--days must be a whole number of days from 1 to 365/);
    }
    const noId = await runCli(["token", "revoke", "--gateway", gateway.url], env());
    expect(noId.code).toBe(2);
    expect(noId.stderr).toMatch(/missing required argument 'id'/);
    expect(gateway.calls).toEqual([]);
  });
});

describe("cyxwiz gateway commands fail clearly", () => {
  it("without a token: exit 2, saying how to give one", async () => {
    await start();
    const file = await makeFile(1000);
    for (const args of [["upload", file], ["ls"], ["download", "x", "--out", tmp("o")]]) {
      const r = await runCli([...args, "--gateway", gateway.url], { CYXWIZ_TOKEN: "", CYXWIZ_STATE_DIR: stateDir });
      expect(r.code, args[0]).toBe(2);
      expect(r.stderr).toMatch(/no token: set CYXWIZ_TOKEN or pass --token-file/);
    }
    const missingFile = await runCli(["ls", "--gateway", gateway.url, "--token-file", join(dir, "nope")], {});
    expect(missingFile.code).toBe(2);
    expect(missingFile.stderr).toMatch(/cannot read token file .*ENOENT/);
    expect(gateway.calls).toEqual([]);
  });

  it("with a token from --token-file, and with a wrong token", async () => {
    await start();
    const tokenFile = tmp("token");
    await writeFile(tokenFile, `${gateway.token}\n`, { mode: 0o600 });
    const ok = await runCli(["ls", "--gateway", gateway.url, "--token-file", tokenFile], { CYXWIZ_TOKEN: "" });
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stdout).toBe("no datasets\n");
    const wrong = await runCli(["ls", "--gateway", gateway.url], { CYXWIZ_TOKEN: "wrong.token.here" });
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toMatch(/the gateway refused the token.*CYXW_CLIENT_AUTH/);
  });

  it("when the gateway cannot be reached: exit 2, naming it", async () => {
    const port = await new Promise<number>((resolve) => {
      const s = createServer().listen(0, "127.0.0.1", () => {
        const p = (s.address() as { port: number }).port;
        s.close(() => resolve(p));
      });
    });
    const url = `http://127.0.0.1:${port}`;
    const file = await makeFile(1000);
    for (const args of [["upload", file], ["ls"], ["download", "x", "--out", tmp("o")]]) {
      const r = await runCli([...args, "--gateway", url], { CYXWIZ_TOKEN: "a.b.c", CYXWIZ_STATE_DIR: tmp("state") });
      expect(r.code, args[0]).toBe(2);
      expect(r.stderr).toContain(`at ${url}: cannot reach the gateway: ECONNREFUSED [CYXW_CLIENT_UNREACHABLE]`);
    }
    const bad = await runCli(["ls", "--gateway", "ftp://x"], { CYXWIZ_TOKEN: "a.b.c" });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--gateway: gateway URL must be an http/);
  });

  it("refuses escrow for confidential data before contacting the gateway", async () => {
    await start();
    const file = await makeFile(1000);
    const r = await runCli(
      [
        "upload",
        file,
        "--gateway",
        gateway.url,
        "--classification",
        "confidential",
        "--encrypt",
        "--key-file",
        tmp("k"),
        "--escrow",
      ],
      env(),
    );
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/CONFIDENTIAL data cannot be escrowed.*CYXW_CLIENT_ESCROW/);
    expect(gateway.calls).toEqual([]);
  });

  it("a download that fails verification exits 1 and leaves no output file", async () => {
    await start();
    const file = await makeFile(20_000);
    expect(
      (await runCli(["upload", file, "--gateway", gateway.url, "--name", "d", "--chunk-size", "4KiB"], env())).code,
    ).toBe(0);
    gateway.damageStoredChunk("d@v1", 2);
    const out = tmp("damaged.out");
    const r = await runCli(["download", "d@v1", "--gateway", gateway.url, "--out", out], env());
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/chunk 2 of d@v1 failed verification.*CYXW_CLIENT_INTEGRITY/);
    expect(existsSync(out)).toBe(false);
    expect(existsSync(`${out}.cyxwiz-partial`)).toBe(false);
  });
});

describe("cyxwiz upload | download of a dataset of samples", () => {
  it("uploads MNIST (images + labels) as 10,000 samples in shard order, encrypted, and downloads them as an Arrow file", async () => {
    await start();
    const { mnistPath } = await import("../../../test-support/datasets.js");
    const arrow = await import("apache-arrow");
    const key = tmp("key");
    const up = await runCli(
      [
        "upload",
        mnistPath("images"),
        mnistPath("labels"),
        "--gateway",
        gateway.url,
        "--name",
        "mnist",
        "--chunk-size",
        "1MiB",
        "--order",
        "class-balanced",
        "--shards",
        "4",
        "--encrypt",
        "--key-file",
        key,
        "--json",
      ],
      env(),
    );
    expect(up.code, up.stderr).toBe(0);
    expect(JSON.parse(up.stdout)).toMatchObject({ ref: "mnist@v1", encrypted: true, resumed: false });
    const version = gateway.transfers.get(JSON.parse(up.stdout).transferId)!;
    expect(version.layout.samplePlainSizes).toBeDefined();

    const out = tmp("mnist.arrow");
    const down = await runCli(
      ["download", "mnist", "--gateway", gateway.url, "--out", out, "--key-file", key, "--json"],
      env(),
    );
    expect(down.code, down.stderr).toBe(0);
    expect(JSON.parse(down.stdout)).toMatchObject({ format: "arrow", samples: 10_000 });
    const table = arrow.tableFromIPC(await readFile(out));
    expect(table.numRows).toBe(10_000);
    // Shard order: the first shard holds a quarter of each class (labels 0..9 within one of 1/4 of the count).
    const labels = table.getChild("label")!.toArray() as Uint8Array;
    const firstShard = new Map<number, number>();
    for (const l of labels.subarray(0, 2500)) firstShard.set(l, (firstShard.get(l) ?? 0) + 1);
    expect([...firstShard.keys()].sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(firstShard.get(1)).toBeGreaterThanOrEqual(283); // 1135 ones in t10k: 283 or 284 per shard
    expect(firstShard.get(1)).toBeLessThanOrEqual(284);
  }, 120_000);
});
