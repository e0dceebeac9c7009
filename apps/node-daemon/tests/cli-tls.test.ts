import { createHash, randomBytes, X509Certificate } from "node:crypto";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type FakeGateway, startFakeGateway, TEST_TLS_A, TEST_TLS_B } from "@cyxwiz/client/testing";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "./run-cli.js";

let dir: string;
let gateway: FakeGateway;
let certA: string;
let certB: string;
const fingerprintA = new X509Certificate(TEST_TLS_A.cert).fingerprint256;
const fingerprintB = new X509Certificate(TEST_TLS_B.cert).fingerprint256;
const sha = (b: Uint8Array) => createHash("sha256").update(b).digest("hex");
const env = (extra: Record<string, string> = {}) => ({
  CYXWIZ_TOKEN: gateway.token,
  CYXWIZ_STATE_DIR: join(dir, "state"),
  CYXWIZ_CA_FILE: "",
  ...extra,
});

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "cyxwiz-cli-tls-"));
  certA = join(dir, "gateway-a.pem");
  certB = join(dir, "gateway-b.pem");
  await writeFile(certA, TEST_TLS_A.cert);
  await writeFile(certB, TEST_TLS_B.cert);
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});
afterEach(async () => {
  await gateway?.close();
});

/** Uploads a random file with `trust` flags, downloads it with the same, and checks the bytes. */
async function roundTrip(name: string, trust: string[], extraEnv: Record<string, string> = {}) {
  const file = join(dir, `${name}.bin`);
  const data = randomBytes(150_000);
  await writeFile(file, data);
  const up = await runCli(
    ["upload", file, "--gateway", gateway.url, "--name", name, "--chunk-size", "64KiB", "--json", ...trust],
    env(extraEnv),
  );
  expect(up.code, up.stderr).toBe(0);
  expect(JSON.parse(up.stdout)).toMatchObject({ ref: `${name}@v1`, numChunks: 3 });
  const out = join(dir, `${name}.out`);
  const down = await runCli(
    ["download", name, "--gateway", gateway.url, "--out", out, "--json", ...trust],
    env(extraEnv),
  );
  expect(down.code, down.stderr).toBe(0);
  expect(sha(await readFile(out))).toBe(sha(data));
}

describe("cyxwiz upload | download against an https gateway (wss frames)", () => {
  it("with --ca-file (and with CYXWIZ_CA_FILE): byte-identical", async () => {
    gateway = await startFakeGateway({ tls: TEST_TLS_A });
    expect(gateway.url).toMatch(/^https:/);
    await roundTrip("by-ca", ["--ca-file", certA]);
    const ls = await runCli(["ls", "--gateway", gateway.url, "--json"], env({ CYXWIZ_CA_FILE: certA }));
    expect(ls.code, ls.stderr).toBe(0);
    expect(JSON.parse(ls.stdout).datasets.map((d: { ref: string }) => d.ref)).toEqual(["by-ca@v1"]);
    expect(gateway.frames.length).toBe(3); // the frames came over wss
  });

  it("with --pin-sha256 as the gateway prints it, or as bare lower-case hex: byte-identical", async () => {
    gateway = await startFakeGateway({ tls: TEST_TLS_A });
    await roundTrip("by-pin", ["--pin-sha256", fingerprintA]);
    const ls = await runCli(
      ["ls", "--gateway", gateway.url, "--pin-sha256", fingerprintA.replaceAll(":", "").toLowerCase()],
      env(),
    );
    expect(ls.code, ls.stderr).toBe(0);
    expect(ls.stdout).toMatch(/by-pin@v1/);
  });

  it("refuses a wrong pin before sending anything, naming both fingerprints (exit 2)", async () => {
    gateway = await startFakeGateway({ tls: TEST_TLS_A });
    const file = join(dir, "never.bin");
    await writeFile(file, randomBytes(1000));
    for (const args of [
      ["upload", file, "--format", "opaque", "--gateway", gateway.url, "--pin-sha256", fingerprintB],
      ["download", "anything", "--gateway", gateway.url, "--out", join(dir, "never.out"), "--pin-sha256", fingerprintB],
    ]) {
      const run = await runCli(args, env());
      expect(run.code, args[0]).toBe(2);
      expect(run.stderr).toBe(
        `cyxwiz: the gateway at ${new URL(gateway.url).host} presented a certificate with SHA-256 ${fingerprintA}, ` +
          `but the pin (--pin-sha256) is ${fingerprintB}: refusing to connect (another server, a new certificate, ` +
          "or someone in between) [CYXW_CLIENT_TLS]\n",
      );
    }
    expect(gateway.calls).toEqual([]);
    expect(gateway.frames).toEqual([]);
  });

  it("refuses the certificate without a way to trust it, or with the wrong CA, and says how to trust it (exit 2)", async () => {
    gateway = await startFakeGateway({ tls: TEST_TLS_A });
    for (const trust of [[], ["--ca-file", certB]]) {
      const run = await runCli(["ls", "--gateway", gateway.url, ...trust], env());
      expect(run.code, trust.join(" ")).toBe(2);
      expect(run.stderr).toMatch(/the gateway's TLS certificate or handshake was refused: self-signed certificate/);
      expect(run.stderr).toMatch(
        /trust the gateway with --ca-file PATH or --pin-sha256 FINGERPRINT.*\[CYXW_CLIENT_TLS\]\n$/,
      );
    }
    expect(gateway.calls).toEqual([]);
  });

  it("refuses bad trust options as usage errors (exit 2)", async () => {
    gateway = await startFakeGateway();
    const cases: Array<[string[], RegExp]> = [
      [["--pin-sha256", fingerprintA], /--gateway: a CA file or a certificate pin needs an https:\/\/ gateway URL/],
      [["--pin-sha256", "AB:CD"], /--pin-sha256: a SHA-256 pin is 64 hex digits/],
      [["--ca-file", join(dir, "missing.pem")], /cannot read CA file .*missing\.pem: ENOENT/],
      [["--ca-file", join(dir, "not-a-cert.pem")], /CA file .*not-a-cert\.pem holds no PEM certificate/],
    ];
    await writeFile(join(dir, "not-a-cert.pem"), "hello\n");
    for (const [args, message] of cases) {
      const run = await runCli(["ls", "--gateway", gateway.url, ...args], env());
      expect(run.code, args.join(" ")).toBe(2);
      expect(run.stderr).toMatch(message);
    }
  });
});
