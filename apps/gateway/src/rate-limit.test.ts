import { Code, ConnectError } from "@connectrpc/connect";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningGateway, startGateway } from "../test-support/gateway-harness.js";

let gw: RunningGateway;
beforeAll(async () => {
  gw = await startGateway({ CYXWIZ_RATE_LIMIT: "4" });
});
afterAll(async () => {
  await gw.stop();
});

describe("rate limits (ARCHITECTURE §7)", () => {
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
