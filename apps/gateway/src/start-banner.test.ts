import { spawn } from "node:child_process";
import { X509Certificate } from "node:crypto";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { get } from "node:https";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "./config.js";
import { insecureWarning, reachableHost, startBanner } from "./start-banner.js";
import type { TlsMaterial } from "./tls/tls-material.js";

const interfaces = {
  lo: [{ address: "127.0.0.1", family: "IPv4", internal: true }],
  eth0: [
    { address: "fe80::2", family: "IPv6", internal: false },
    { address: "10.4.5.6", family: "IPv4", internal: false },
  ],
} as unknown as Parameters<typeof reachableHost>[1];
const firstStart = {
  created: false,
  tokenRenewed: false,
  passwordPath: "/d/admin-password",
  tokenPath: "/d/admin-token",
};

describe("start banner", () => {
  it("names a host a client can reach: HOST as given, or for a wildcard the machine's external address", () => {
    expect(reachableHost("127.0.0.1", interfaces, "box")).toBe("127.0.0.1");
    expect(reachableHost("gateway.example", interfaces, "box")).toBe("gateway.example");
    expect(reachableHost("2001:db8::1", interfaces, "box")).toBe("[2001:db8::1]");
    expect(reachableHost("0.0.0.0", interfaces, "box")).toBe("10.4.5.6");
    expect(reachableHost("::", interfaces, "box")).toBe("10.4.5.6");
    expect(
      reachableHost("0.0.0.0", { eth0: [{ address: "2001:db8::9", family: "IPv6", internal: false }] } as never, "box"),
    ).toBe("[2001:db8::9]");
    expect(reachableHost("0.0.0.0", {}, "box")).toBe("box");
  });

  it("prints https and the certificate's fingerprint under TLS, http and no fingerprint without", () => {
    const config = loadConfig({ HOST: "192.0.2.10", PORT: "8443" }, "/srv");
    const tls: TlsMaterial = {
      cert: "",
      key: "",
      certPath: "/srv/.cyxwiz-data/tls/cert.pem",
      keyPath: "/srv/.cyxwiz-data/tls/key.pem",
      source: "generated",
      fingerprint256: "AB:CD",
      createdNow: true,
      uncoveredNames: [],
      validTo: new Date("2029-01-01T00:00:00Z"),
    };
    const text = startBanner({ config, port: 8443, tls, firstStart });
    expect(text).toContain("CyxWiz gateway is up. Open https://192.0.2.10:8443/\n");
    expect(text).toContain("  TLS certificate SHA-256 fingerprint: AB:CD\n");
    expect(text).toContain("--pin-sha256 AB:CD");
    const plain = startBanner({ config: loadConfig({}, "/srv"), port: 8080, tls: undefined, firstStart });
    expect(plain).toContain("CyxWiz gateway is up. Open http://127.0.0.1:8080/\n");
    expect(plain).not.toContain("fingerprint");
  });

  it("warns about plaintext beyond loopback only when CYXWIZ_INSECURE=1 allowed it", () => {
    expect(insecureWarning(loadConfig({ HOST: "0.0.0.0", CYXWIZ_INSECURE: "1" }, "/srv"))).toMatch(
      /^WARNING: CYXWIZ_INSECURE=1: serving plaintext HTTP on 0\.0\.0\.0, beyond loopback/,
    );
    expect(insecureWarning(loadConfig({}, "/srv"))).toBeUndefined();
    expect(insecureWarning(loadConfig({ HOST: "0.0.0.0" }, "/srv"))).toBeUndefined();
  });
});

/**
 * `npm start` as an operator runs it (tsx src/main.ts): waits for the banner, runs `whileUp` with
 * it, then stops the gateway (SIGTERM). Resolves with what it printed and its exit code.
 */
function runMain(
  env: Record<string, string>,
  whileUp: (banner: string) => Promise<void> = async () => {},
): Promise<{ stdout: string; stderr: string; code: number | null; failure?: unknown }> {
  const cwd = fileURLToPath(new URL("..", import.meta.url));
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", "src/main.ts"], {
      cwd,
      env: { ...process.env, PORT: "0", LOG_LEVEL: "warn", ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    let up = false;
    let failure: unknown;
    child.stdout.on("data", (d) => {
      stdout += d;
      // the banner is one write, its last line naming the API token's file
      if (!up && /CyxWiz gateway is up[\s\S]*API token: \S+\n/.test(stdout)) {
        up = true;
        whileUp(stdout)
          .catch((e: unknown) => {
            failure = e;
          })
          .finally(() => child.kill("SIGTERM"));
      }
    });
    child.stderr.on("data", (d) => (stderr += d));
    child.on("error", reject);
    child.on("close", (code) => resolve({ stdout, stderr, code, ...(failure === undefined ? {} : { failure }) }));
  });
}

describe("main.ts beyond loopback", () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "cyxwiz-main-"));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("HOST=0.0.0.0: TLS by itself; the banner's https URL (a reachable address) answers, verified by the certificate whose fingerprint it prints", async () => {
    const dataDir = join(dir, "wildcard");
    const run = await runMain({ HOST: "0.0.0.0", CYXWIZ_DATA_DIR: dataDir }, async (banner) => {
      const url = /Open (\S+)/.exec(banner)![1]!;
      expect(url).toMatch(new RegExp(`^https://${reachableHost("0.0.0.0").replace(/[[\].]/g, "\\$&")}:\\d+/$`));
      const cert = await readFile(join(dataDir, "tls", "cert.pem"), "utf8");
      const printed = /TLS certificate SHA-256 fingerprint: (\S+)/.exec(banner)![1];
      expect(printed).toBe(new X509Certificate(cert).fingerprint256);
      const status = await new Promise<number>((resolve, reject) =>
        get(`${url}healthz`, { ca: cert }, (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        }).on("error", reject),
      );
      expect(status).toBe(200);
    });
    expect(run.stdout, run.stderr).toMatch(/CyxWiz gateway is up/);
    if (run.failure !== undefined) throw run.failure;
    expect(run.stderr).not.toMatch(/WARNING/);
  }, 120_000);

  it("HOST=0.0.0.0 with CYXWIZ_INSECURE=1: plaintext, with the warning on stderr", async () => {
    const run = await runMain({ HOST: "0.0.0.0", CYXWIZ_INSECURE: "1", CYXWIZ_DATA_DIR: join(dir, "insecure") });
    expect(run.stdout, run.stderr).toMatch(/Open http:\/\//);
    expect(run.stdout).not.toMatch(/fingerprint/);
    expect(run.stderr).toMatch(/cyxwiz gateway: WARNING: CYXWIZ_INSECURE=1: serving plaintext HTTP on 0\.0\.0\.0/);
  }, 120_000);

  it("half a TLS config is one line on stderr and exit code 2", async () => {
    const run = await runMain({ CYXWIZ_TLS_CERT: "/nowhere/cert.pem", CYXWIZ_DATA_DIR: join(dir, "half") });
    expect(run.code).toBe(2);
    expect(run.stderr).toBe(
      "cyxwiz gateway: CYXWIZ_TLS_CERT is set but CYXWIZ_TLS_KEY is not: give both PEM files, or neither\n",
    );
    const mismatch = await runMain({
      CYXWIZ_TLS_CERT: "/nowhere/cert.pem",
      CYXWIZ_TLS_KEY: "/nowhere/key.pem",
      CYXWIZ_DATA_DIR: join(dir, "half"),
    });
    expect(mismatch.code).toBe(2);
    expect(mismatch.stderr).toBe("cyxwiz gateway: cannot read CYXWIZ_TLS_CERT (/nowhere/cert.pem): ENOENT\n");
  }, 120_000);
});
