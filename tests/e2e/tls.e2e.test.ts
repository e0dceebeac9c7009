import { randomBytes, X509Certificate } from "node:crypto";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchChromium } from "./support/browser.js";
import { runCli } from "./support/cli.js";
import { DashboardPage } from "./support/dashboard-page.js";
import { type GatewayProcess, startGatewayProcess } from "./support/gateway-process.js";
import { fileSha256 } from "./support/signed-in-dashboard.js";

let gw: GatewayProcess;
let browser: Browser;
let dir: string;
let certPath: string;
let fingerprint: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "cyxwiz-e2e-tls-"));
  // TLS on loopback with the certificate the gateway generates (docs/operations.md)
  gw = await startGatewayProcess({ CYXWIZ_TLS: "1" });
  certPath = join(gw.dataDir, "tls", "cert.pem");
  fingerprint = /TLS certificate SHA-256 fingerprint: (\S+)/.exec(gw.output())![1]!;
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await gw?.stop();
  await rm(dir, { recursive: true, force: true });
});

const cliEnv = () => ({ CYXWIZ_TOKEN: gw.adminToken, CYXWIZ_STATE_DIR: join(dir, "state") });

describe("the gateway over TLS, end to end", () => {
  it("serves https on its one port and prints the generated certificate's fingerprint", async () => {
    expect(gw.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    expect(fingerprint).toBe(new X509Certificate(await readFile(certPath, "utf8")).fingerprint256);
  });

  it("cyxwiz upload then download over https and wss: with --ca-file, with --pin-sha256, and a wrong pin refused", async () => {
    const file = join(dir, "cli-upload.bin");
    await writeFile(file, randomBytes(300_000));
    const up = await runCli(
      [
        "upload",
        file,
        "--gateway",
        gw.url,
        "--name",
        "cli-tls",
        "--chunk-size",
        "64KiB",
        "--json",
        "--ca-file",
        certPath,
      ],
      cliEnv(),
    );
    expect(up.code, up.stderr).toBe(0);
    expect(JSON.parse(up.stdout)).toMatchObject({ ref: "cli-tls@v1", numChunks: 5 });

    const byCa = join(dir, "by-ca.out");
    const d1 = await runCli(
      ["download", "cli-tls", "--gateway", gw.url, "--out", byCa, "--ca-file", certPath],
      cliEnv(),
    );
    expect(d1.code, d1.stderr).toBe(0);
    expect(await fileSha256(byCa)).toBe(await fileSha256(file));

    const byPin = join(dir, "by-pin.out");
    const d2 = await runCli(
      ["download", "cli-tls", "--gateway", gw.url, "--out", byPin, "--pin-sha256", fingerprint],
      cliEnv(),
    );
    expect(d2.code, d2.stderr).toBe(0);
    expect(await fileSha256(byPin)).toBe(await fileSha256(file));

    const wrongPin = `${"00:".repeat(31)}00`;
    const d3 = await runCli(
      ["download", "cli-tls", "--gateway", gw.url, "--out", join(dir, "never.out"), "--pin-sha256", wrongPin],
      cliEnv(),
    );
    expect(d3.code).toBe(2);
    expect(d3.stderr).toContain(
      `presented a certificate with SHA-256 ${fingerprint}, but the pin (--pin-sha256) is ${wrongPin}`,
    );
    expect(d3.stderr).toMatch(/\[CYXW_CLIENT_TLS\]\n$/);

    const untrusted = await runCli(["ls", "--gateway", gw.url], cliEnv());
    expect(untrusted.code).toBe(2);
    expect(untrusted.stderr).toMatch(/self-signed certificate.*--ca-file PATH or --pin-sha256/);
  });

  it("the dashboard over https: signs in and uploads a file over wss; the CLI downloads it byte-identical", async () => {
    // the certificate is self-signed: the browser is told to accept it, as a person would click through
    const context = await browser.newContext({ ignoreHTTPSErrors: true });
    const page = await context.newPage();
    const sockets: string[] = [];
    page.on("websocket", (ws) => sockets.push(ws.url()));
    const dash = new DashboardPage(page, gw.url);
    await dash.signIn("admin", gw.adminPassword);
    expect(await page.evaluate(() => window.location.protocol)).toBe("https:");

    const f = "dashboard-tls.bin";
    const path = join(dir, f);
    await writeFile(path, randomBytes(200_000));
    await dash.chooseFiles([path], { classification: "0", encrypt: false, compression: "none" });
    await dash.start(f);
    const root = await dash.committedRoot(f, 120_000);
    expect(root).toMatch(/^[0-9a-f]{64}$/);
    // the upload worker's frames socket went over wss: (an https page may not open ws: anyway)
    expect(sockets.length).toBeGreaterThan(0);
    for (const url of sockets) expect(url).toMatch(/^wss:\/\/127\.0\.0\.1:\d+\/v1\/transfers\/[^/]+\/frames$/);
    const ref = (await page.getByTestId(`upload-ref-${f}`).textContent())!.trim();
    await context.close();

    const out = join(dir, "dashboard.out");
    const dl = await runCli(
      ["download", ref, "--gateway", gw.url, "--out", out, "--pin-sha256", fingerprint],
      cliEnv(),
    );
    expect(dl.code, dl.stderr).toBe(0);
    expect(await fileSha256(out)).toBe(await fileSha256(path));
  });
});
