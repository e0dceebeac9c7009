import { randomBytes } from "node:crypto";
import { Code, ConnectError, createClient } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-node";
import { AckStatus, AuthService } from "@cyxwiz/protocol/gen";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import {
  initiate,
  openFrames,
  packForUpload,
  type RunningGateway,
  startGateway,
} from "../test-support/gateway-harness.js";

const codeOf = async (p: Promise<unknown>) => {
  try {
    await p;
    return "ok";
  } catch (e) {
    return Code[ConnectError.from(e).code];
  }
};

describe("rate limits (ARCHITECTURE §7)", () => {
  let gw: RunningGateway;
  beforeAll(async () => {
    gw = await startGateway({ CYXWIZ_RATE_LIMIT: "4" });
  });
  afterAll(async () => {
    await gw.stop();
  });

  it("refuses a user's requests beyond the limit per minute, and counts other users and anonymous callers apart", async () => {
    const admin = gw.clients(gw.adminToken);
    for (let i = 0; i < 4; i++) await admin.datasets.listDatasets({});
    const refused = await admin.datasets.listDatasets({}).catch((e) => ConnectError.from(e));
    expect(refused).toBeInstanceOf(ConnectError);
    expect(Code[(refused as ConnectError).code]).toBe("ResourceExhausted");
    // an anonymous caller from the same IP has its own budget
    const anon = gw.clients("");
    const first = await anon.auth.login({ username: "admin", password: "wrong" }).catch((e) => ConnectError.from(e));
    expect(Code[(first as ConnectError).code]).toBe("Unauthenticated");
    // and the gateway is still up
    expect((await gw.gateway.app.inject({ method: "GET", url: "/healthz" })).statusCode).toBe(200);
  });
});

/** Issue 8, finding 4: one client cannot lock everyone out. */
describe("budgets per principal, per address, and for sign-in (issue 8, finding 4)", () => {
  let gw: RunningGateway;
  beforeAll(async () => {
    gw = await startGateway({
      CYXWIZ_RATE_LIMIT: "1000",
      CYXWIZ_RATE_LIMIT_ANON: "10",
      CYXWIZ_LOGIN_LIMIT: "3",
      CYXWIZ_LOGIN_LIMIT_ADDRESS: "5",
    });
    const admin = gw.clients(gw.adminToken);
    await admin.auth.createUser({ username: "bob", password: "bob-password" });
    await admin.auth.createUser({ username: "carol", password: "carol-password" });
  });
  afterAll(async () => {
    await gw.stop();
  });

  /** AuthService from a given loopback address (the whole of 127.0.0.0/8 is this machine). */
  const authFrom = (localAddress: string) =>
    createClient(
      AuthService,
      createConnectTransport({ baseUrl: gw.url, httpVersion: "1.1", nodeOptions: { localAddress } }),
    );

  it("an address that spent its anonymous budget still reaches /healthz, and signed-in users are counted as themselves", async () => {
    // Spend this address's anonymous budget (10 a minute) on requests without a token.
    const anonymous = () => fetch(`${gw.url}/metrics`); // answered 401 (admins only), and counted
    for (let i = 0; i < 10; i++) expect((await anonymous()).status).toBe(401);
    const limited = await anonymous();
    expect(limited.status).toBe(429);
    expect(await limited.json()).toMatchObject({ code: "resource_exhausted" });
    expect(await codeOf(gw.clients("").auth.whoAmI({}))).toBe("ResourceExhausted");
    const noToken = await openFrames(gw.url, "tr_none", undefined).then(
      () => "open",
      (e: Error) => e.message,
    );
    expect(noToken).toMatch(/429/);

    // Never limited: the health check and the dashboard.
    for (let i = 0; i < 30; i++) expect((await fetch(`${gw.url}/healthz`)).status).toBe(200);
    for (let i = 0; i < 15; i++) expect((await fetch(`${gw.url}/`)).status).toBe(200);

    // Sign-in has its own budgets: bob signs in from the same address.
    const { token: bobToken } = await gw.clients("").auth.login({ username: "bob", password: "bob-password" });
    const bob = gw.clients(bobToken);

    // bob's whole upload: InitiateTransfer, the frames WebSocket (token in its subprotocol), CommitUpload.
    const packed = await packForUpload(randomBytes(200_000), { chunkSize: 64 * 1024, name: "limits" });
    const { transferId } = await initiate(bob, packed);
    const socket = await openFrames(gw.url, transferId, bobToken);
    for (const f of packed.frames) socket.send(f);
    await socket.waitFor(packed.frames.length + 1);
    const acks = socket.messages.flatMap((m) => (m.kind.case === "ack" ? [AckStatus[m.kind.value.status]] : []));
    expect(acks).toEqual(Array(packed.frames.length).fill("ACK_OK"));
    socket.close();
    const { version } = await bob.datasets.commitUpload({ transferId, manifest: packed.manifest });
    expect(version).toMatchObject({ ref: "limits@v1", owner: "bob" });

    // A WebSocket upgrade with the admin's token is counted as the admin, not as the address.
    const admin = gw.clients(gw.adminToken);
    const other = await packForUpload(randomBytes(1000), { chunkSize: 64 * 1024, name: "limits-admin" });
    const t2 = await initiate(admin, other);
    const s2 = await openFrames(gw.url, t2.transferId, gw.adminToken);
    s2.send(other.frames[0]!);
    await s2.waitFor(2);
    s2.close();
    expect((await admin.auth.whoAmI({})).username).toBe("admin");

    // The address is still limited for anonymous requests.
    expect((await anonymous()).status).toBe(429);
  });

  it("limits password guessing per account and per address, and keeps the owner in from an address they used", async () => {
    const info = vi.spyOn(gw.gateway.app.log, "info");
    // carol signs in from her usual address.
    expect(await codeOf(authFrom("127.0.0.3").login({ username: "carol", password: "carol-password" }))).toBe("ok");

    // Someone at 127.0.0.2 guesses carol's password: 3 failures spend the account's budget...
    const guesser = authFrom("127.0.0.2");
    for (let i = 0; i < 3; i++)
      expect(await codeOf(guesser.login({ username: "carol", password: `guess-${i}` }))).toBe("Unauthenticated");
    // ...after which even the right password is refused there, saying for how long.
    const refused = await guesser.login({ username: "carol", password: "carol-password" }).then(
      () => undefined,
      (e) => ConnectError.from(e),
    );
    expect(refused?.code).toBe(Code.ResourceExhausted);
    expect(refused?.rawMessage).toMatch(/too many failed sign-ins for this account .*try again in \d+ min/);
    expect(info).toHaveBeenCalledWith(
      expect.objectContaining({ code: "ResourceExhausted", method: "Login", message: refused?.rawMessage }),
      "rpc refused",
    );
    const retryAfter = Number(refused?.metadata.get("retry-after"));
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(15 * 60);

    // carol still signs in from her usual address; from a new one she waits like the guesser.
    expect(await codeOf(authFrom("127.0.0.3").login({ username: "carol", password: "carol-password" }))).toBe("ok");
    expect(await codeOf(authFrom("127.0.0.4").login({ username: "carol", password: "carol-password" }))).toBe(
      "ResourceExhausted",
    );

    // The guesser moves to other accounts: 5 failures from one address spend the address's budget.
    for (const username of ["dave", "erin"])
      expect(await codeOf(guesser.login({ username, password: "guess" }))).toBe("Unauthenticated");
    const byAddress = await guesser.login({ username: "bob", password: "bob-password" }).then(
      () => undefined,
      (e) => ConnectError.from(e),
    );
    expect(byAddress?.code).toBe(Code.ResourceExhausted);
    expect(byAddress?.rawMessage).toMatch(/too many failed sign-ins from this address .*try again in/);

    // Nobody else is affected: bob and the admin sign in from their own addresses.
    expect(await codeOf(authFrom("127.0.0.5").login({ username: "bob", password: "bob-password" }))).toBe("ok");
    const adminPassword = (await import("node:fs/promises")).readFile(`${gw.dataDir}/admin-password`, "utf8");
    expect(
      await codeOf(authFrom("127.0.0.1").login({ username: "admin", password: (await adminPassword).trim() })),
    ).toBe("ok");
  });
});
