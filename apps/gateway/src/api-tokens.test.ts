import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { timestampDate } from "@bufbuild/protobuf/wkt";
import { Code, ConnectError } from "@connectrpc/connect";
import { SignJWT } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Clients, openFrames, type RunningGateway, startGateway } from "../test-support/gateway-harness.js";
import { issueToken } from "./auth/session-tokens.js";

let gw: RunningGateway;
let admin: Clients;
let bob: Clients;
let bobSession: string;
beforeAll(async () => {
  gw = await startGateway();
  admin = gw.clients(gw.adminToken);
  await admin.auth.createUser({ username: "bob", password: "bob-password" });
  bobSession = (await gw.clients("").auth.login({ username: "bob", password: "bob-password" })).token;
  bob = gw.clients(bobSession);
});
afterAll(async () => {
  await gw.stop();
});

const refusal = async (p: Promise<unknown>) => {
  const e = await p.then(() => undefined, ConnectError.from);
  return e === undefined ? "ok" : `${Code[e.code]}: ${e.rawMessage}`;
};
const metricsStatus = async (token: string | undefined) =>
  (
    await gw.gateway.app.inject({
      method: "GET",
      url: "/metrics",
      headers: token === undefined ? {} : { authorization: `Bearer ${token}` },
    })
  ).statusCode;
/** How the frames socket answers a token (the transfer id does not matter: the token is checked first). */
const socketAnswer = async (token: string) => {
  const closed = await (await openFrames(gw.url, "tr_whatever", token)).closed;
  return `${closed.code} ${closed.reason}`;
};
const days = (from: Date, to: Date) => (to.getTime() - from.getTime()) / 86_400_000;

describe("API tokens", () => {
  it("first start writes a 30-day admin token that is recorded, listed and audited", async () => {
    const { tokens } = await admin.auth.listApiTokens({});
    expect(tokens).toHaveLength(1);
    const [first] = tokens;
    expect(first).toMatchObject({ owner: "admin", label: "admin token (first start)" });
    expect(first!.revokedAt).toBeUndefined();
    expect(days(new Date(), timestampDate(first!.expiresAt!))).toBeCloseTo(30, 1);
    const audit = await gw.gateway.deps.store.audit.list({ subject: `token:${first!.id}` });
    expect(audit.map((e) => `${e.actor} ${e.action}`)).toEqual(["system token.create"]);
  });

  it("a created token works everywhere until it is revoked, then is refused on RPC, WebSocket and /metrics", async () => {
    const created = await admin.auth.createApiToken({ label: "prometheus", ttlDays: 7 });
    expect(created.id).toMatch(/^tok_/);
    expect(days(new Date(), timestampDate(created.expiresAt!))).toBeCloseTo(7, 1);
    expect(await gw.clients(created.token).auth.whoAmI({})).toMatchObject({ username: "admin", admin: true });
    expect(await metricsStatus(created.token)).toBe(200);
    expect(await socketAnswer(created.token)).toBe("1008 CYXW_ERR_TRANSFER: no transfer tr_whatever");

    const { token: record } = await admin.auth.revokeApiToken({ id: created.id });
    expect(record).toMatchObject({ id: created.id, label: "prometheus" });
    expect(record!.revokedAt).toBeDefined();
    expect(await refusal(gw.clients(created.token).auth.whoAmI({}))).toBe(
      "Unauthenticated: the token has been revoked: sign in again or use another token",
    );
    expect(await refusal(gw.clients(created.token).datasets.listDatasets({}))).toMatch(/^Unauthenticated: .*revoked/);
    expect(await socketAnswer(created.token)).toBe(
      "1008 CYXW_ERR_AUTH: the token has been revoked: sign in again or use another token",
    );
    expect(await metricsStatus(created.token)).toBe(401);
    // revoking again is harmless and keeps the first revocation time
    const again = await admin.auth.revokeApiToken({ id: created.id });
    expect(again.token!.revokedAt).toEqual(record!.revokedAt);
    const audit = await gw.gateway.deps.store.audit.list({ subject: `token:${created.id}` });
    expect(audit.map((e) => e.action)).toEqual(["token.revoke", "token.revoke", "token.create"]);
    // the first-start token is untouched
    expect(await gw.clients(gw.adminToken).auth.whoAmI({})).toMatchObject({ username: "admin" });
  });

  it("an expired token is refused on RPC, WebSocket and /metrics", async () => {
    const { token } = await issueToken(gw.gateway.deps.secrets.jwtKey, { username: "admin", admin: true }, -1);
    expect(await refusal(gw.clients(token).auth.whoAmI({}))).toBe(
      "Unauthenticated: the token has expired: sign in again",
    );
    expect(await socketAnswer(token)).toBe("1008 CYXW_ERR_AUTH: the token has expired: sign in again");
    expect(await metricsStatus(token)).toBe(401);
  });

  it("a token without an id (issued before revocation existed) is refused: it could never be revoked", async () => {
    const legacy = await new SignJWT({ adm: true })
      .setProtectedHeader({ alg: "HS256", typ: "JWT" })
      .setSubject("admin")
      .setIssuer("cyxwiz-gateway")
      .setAudience("cyxwiz")
      .setIssuedAt()
      .setExpirationTime("1d")
      .sign(gw.gateway.deps.secrets.jwtKey);
    expect(await refusal(gw.clients(legacy).auth.whoAmI({}))).toMatch(/^Unauthenticated: the token is not valid/);
    expect(await metricsStatus(legacy)).toBe(401);
  });

  it("owners manage their own tokens, admins anyone's; someone else's token is answered like a missing one", async () => {
    const bobs = await bob.auth.createApiToken({ label: "ci" });
    expect(days(new Date(), timestampDate(bobs.expiresAt!))).toBeCloseTo(30, 1); // the default
    const bobApi = gw.clients(bobs.token);
    expect(await bobApi.auth.whoAmI({})).toMatchObject({ username: "bob", admin: false });
    expect((await bob.auth.listApiTokens({})).tokens.map((t) => t.id)).toEqual([bobs.id]);
    expect(await refusal(bob.auth.listApiTokens({ allUsers: true }))).toMatch(/^PermissionDenied/);
    const everyone = (await admin.auth.listApiTokens({ allUsers: true })).tokens;
    expect(everyone.map((t) => t.owner)).toContain("bob");
    expect((await admin.auth.listApiTokens({})).tokens.every((t) => t.owner === "admin")).toBe(true);

    const adminsId = (await admin.auth.listApiTokens({})).tokens[0]!.id;
    const missingId = "tok_AAAAAAAAAAAAAAAAAAAAAA";
    expect((await refusal(bob.auth.revokeApiToken({ id: adminsId }))).replace(adminsId, "<id>")).toBe(
      (await refusal(bob.auth.revokeApiToken({ id: missingId }))).replace(missingId, "<id>"),
    );
    expect(await refusal(bob.auth.revokeApiToken({ id: missingId }))).toBe(`NotFound: no token ${missingId}`);
    expect(await refusal(bob.auth.revokeApiToken({ id: "../etc" }))).toMatch(/^InvalidArgument/);
    expect(await gw.clients(gw.adminToken).auth.whoAmI({})).toMatchObject({ username: "admin" });

    await admin.auth.revokeApiToken({ id: bobs.id });
    expect(await refusal(bobApi.auth.whoAmI({}))).toMatch(/revoked/);
    expect(await refusal(bob.auth.createApiToken({ ttlDays: 366 }))).toMatch(
      /^InvalidArgument: ttl_days must be 1-365/,
    );
    expect(await refusal(bob.auth.createApiToken({ label: "a\nb" }))).toMatch(/^InvalidArgument: label/);
    const audit = await gw.gateway.deps.store.audit.list({ subject: `token:${bobs.id}` });
    expect(audit.map((e) => `${e.actor} ${e.action}`)).toEqual(["user:admin token.revoke", "user:bob token.create"]);
  });
});

describe("/metrics", () => {
  it("answers only an admin's bearer token: 401 without or with a bad one, 403 for another user", async () => {
    const anonymous = await gw.gateway.app.inject({ method: "GET", url: "/metrics" });
    expect(anonymous.statusCode).toBe(401);
    expect(anonymous.headers["www-authenticate"]).toMatch(/^Bearer/);
    expect(anonymous.json()).toEqual({ message: expect.stringMatching(/sign in first/) });
    expect(anonymous.body).not.toContain("cyxwiz_");
    expect(await metricsStatus("not.a.token")).toBe(401);
    expect(await metricsStatus(bobSession)).toBe(403);
    const ok = await gw.gateway.app.inject({
      method: "GET",
      url: "/metrics",
      headers: { authorization: `Bearer ${gw.adminToken}` },
    });
    expect(ok.statusCode).toBe(200);
    expect(ok.body).toContain("cyxwiz_chunks_stored_total");
  });
});

describe("API tokens across restarts", () => {
  it("CYXWIZ_API_TOKEN_DAYS sets the first token's lifetime, and a token file from before revocation is renewed", async () => {
    const dir = await mkdtemp(join(tmpdir(), "cyxwiz-gw-tokens-"));
    try {
      let g = await startGateway({ CYXWIZ_API_TOKEN_DAYS: "3" }, dir);
      const [first] = (await g.clients(g.adminToken).auth.listApiTokens({})).tokens;
      expect(days(new Date(), timestampDate(first!.expiresAt!))).toBeCloseTo(3, 1);
      const key = g.gateway.deps.secrets.jwtKey;
      await g.stop();
      const legacy = await new SignJWT({ adm: true })
        .setProtectedHeader({ alg: "HS256", typ: "JWT" })
        .setSubject("admin")
        .setIssuer("cyxwiz-gateway")
        .setAudience("cyxwiz")
        .setIssuedAt()
        .setExpirationTime("365d")
        .sign(key);
      await writeFile(join(dir, "admin-token"), `${legacy}\n`, { mode: 0o600 });
      g = await startGateway({}, dir);
      try {
        expect(g.gateway.firstStart).toMatchObject({ created: false, tokenRenewed: true });
        const renewed = (await readFile(join(dir, "admin-token"), "utf8")).trim();
        expect(renewed).not.toBe(legacy);
        expect(await g.clients(renewed).auth.whoAmI({})).toMatchObject({ username: "admin", admin: true });
        expect((await g.clients(renewed).auth.listApiTokens({})).tokens).toHaveLength(2);
      } finally {
        await g.stop();
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
