import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "./support/cli.js";
import { type GatewayProcess, metric, startGatewayProcess } from "./support/gateway-process.js";

let gw: GatewayProcess;
let dir: string;
beforeAll(async () => {
  gw = await startGatewayProcess();
  dir = await mkdtemp(join(tmpdir(), "cyxwiz-e2e-tokens-"));
});
afterAll(async () => {
  await gw?.stop();
  await rm(dir, { recursive: true, force: true });
});

const metricsStatus = async (token: string) =>
  (await fetch(`${gw.url}/metrics`, { headers: { authorization: `Bearer ${token}` } })).status;

describe("API tokens with the real gateway and the CLI", () => {
  it("cyxwiz token create makes a token that works; cyxwiz token revoke ends it on RPC and /metrics", async () => {
    const admin = { CYXWIZ_TOKEN: gw.adminToken };
    const created = await runCli(["token", "create", "--gateway", gw.url, "--label", "scraper", "--days", "2"], admin);
    expect(created.code, created.stderr).toBe(0);
    const id = /created token (tok_[A-Za-z0-9_-]+)/.exec(created.stderr)?.[1];
    expect(id, created.stderr).toBeDefined();
    const tokenFile = join(dir, "scraper-token");
    await writeFile(tokenFile, created.stdout, { mode: 0o600 });

    expect((await runCli(["ls", "--gateway", gw.url, "--token-file", tokenFile])).code).toBe(0);
    expect(await metricsStatus(created.stdout.trim())).toBe(200);
    const listed = JSON.parse((await runCli(["token", "ls", "--gateway", gw.url, "--json"], admin)).stdout);
    expect(listed.tokens.map((t: { label: string }) => t.label)).toEqual(["scraper", "admin token (first start)"]);

    const revoked = await runCli(["token", "revoke", id!, "--gateway", gw.url, "--json"], admin);
    expect(revoked.code, revoked.stderr).toBe(0);
    expect(JSON.parse(revoked.stdout)).toMatchObject({ id, label: "scraper", owner: "admin" });

    const refused = await runCli(["ls", "--gateway", gw.url, "--token-file", tokenFile]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/the token has been revoked.*CYXW_CLIENT_AUTH/);
    expect(await metricsStatus(created.stdout.trim())).toBe(401);
    // the admin token that did all this still works, as the e2e helpers use it
    expect(await metricsStatus(gw.adminToken)).toBe(200);
    expect(await metric(gw, "cyxwiz_chunks_stored_total")).toBe(0);
  });
});
