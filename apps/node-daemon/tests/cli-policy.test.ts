import { randomBytes } from "node:crypto";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type FakeGateway, startFakeGateway } from "@cyxwiz/client/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "./run-cli.js";

// `cyxwiz policy get | set` against the fake gateway, which answers the policy RPCs with the
// gateway's rules (policyFor and policyViolations from @cyxwiz/protocol/vocab).

let dir: string;
let gateway: FakeGateway;
const env = () => ({ CYXWIZ_TOKEN: gateway.token, CYXWIZ_STATE_DIR: join(dir, "state") });

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "cyxwiz-cli-policy-"));
  gateway = await startFakeGateway();
  const file = join(dir, "data.bin");
  await writeFile(file, randomBytes(50_000));
  const up = await runCli(
    ["upload", file, "--gateway", gateway.url, "--name", "census", "--chunk-size", "16KiB"],
    env(),
  );
  expect(up.code, up.stderr).toBe(0);
});
afterAll(async () => {
  await gateway?.close();
  await rm(dir, { recursive: true, force: true });
});

describe("cyxwiz policy get | set", () => {
  it("shows the level's defaults, then sets a tighter policy", async () => {
    const got = await runCli(["policy", "get", "census", "--gateway", gateway.url, "--json"], env());
    expect(got.code, got.stderr).toBe(0);
    expect(JSON.parse(got.stdout)).toMatchObject({
      ref: "census@v1",
      policy: { classification: "public", encryptionRequired: false, minReputation: 0, expireAfterDays: null },
    });
    const text = await runCli(["policy", "get", "census@v1", "--gateway", gateway.url], env());
    expect(text.stdout).toMatch(/^census@v1\n/);
    expect(text.stdout).toMatch(/allowed regions\s+any/);

    const set = await runCli(
      [
        "policy",
        "set",
        "census",
        "--gateway",
        gateway.url,
        "--classification",
        "internal",
        "--expire-days",
        "30",
        "--min-reputation",
        "60",
        "--regions",
        "eu,us-east-1",
        "--no-escrow",
        "--json",
      ],
      env(),
    );
    expect(set.code, set.stderr).toBe(0);
    expect(JSON.parse(set.stdout).policy).toMatchObject({
      classification: "internal",
      expireAfterDays: 30,
      minReputation: 60,
      allowedRegions: ["eu", "us-east-1"],
      keyEscrowAllowed: false,
      cacheTtlHours: 72,
    });
    const after = JSON.parse(
      (await runCli(["policy", "get", "census", "--gateway", gateway.url, "--json"], env())).stdout,
    );
    expect(after.policy).toMatchObject({ classification: "internal", minReputation: 60 });
  });

  it("refuses an option that loosens the level before calling the gateway, naming the option", async () => {
    const before = gateway.calls.length;
    const r = await runCli(
      ["policy", "set", "census", "--gateway", gateway.url, "--classification", "restricted", "--min-reputation", "10"],
      env(),
    );
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--min-reputation: Restricted data needs workers of reputation 75 or more, got 10/);
    const bad = await runCli(
      ["policy", "set", "census", "--gateway", gateway.url, "--classification", "public", "--regions", "eu,Mars"],
      env(),
    );
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--regions: "Mars" is not a region code/);
    const level = await runCli(
      ["policy", "set", "census", "--gateway", gateway.url, "--classification", "secret"],
      env(),
    );
    expect(level.code).toBe(2);
    expect(level.stderr).toMatch(
      /--classification must be one of public, internal, confidential, restricted, top-secret/,
    );
    const days = await runCli(
      ["policy", "set", "census", "--gateway", gateway.url, "--classification", "public", "--expire-days", "soon"],
      env(),
    );
    expect(days.stderr).toMatch(/--expire-days must be a whole number, got "soon"/);
    expect(gateway.calls.slice(before).filter((c) => c.endsWith("SetDatasetPolicy"))).toEqual([]);
  });

  it("reports the gateway's refusal: unencrypted data cannot become Confidential", async () => {
    const r = await runCli(
      ["policy", "set", "census", "--gateway", gateway.url, "--classification", "confidential"],
      env(),
    );
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(
      /SetDatasetPolicy census at .*CYXW_ERR_POLICY_VIOLATION: census@v1: the version is stored unencrypted/,
    );
    const after = JSON.parse(
      (await runCli(["policy", "get", "census", "--gateway", gateway.url, "--json"], env())).stdout,
    );
    expect(after.policy.classification).toBe("internal");
    const missing = await runCli(["policy", "get", "nope", "--gateway", gateway.url], env());
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/GetDatasetPolicy nope/);
  });
});
