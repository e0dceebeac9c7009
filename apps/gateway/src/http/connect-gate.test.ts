import { Code, ConnectError } from "@connectrpc/connect";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningGateway, startGateway } from "../../test-support/gateway-harness.js";
import { envelope, http1Request, http2Session, type RpcProtocol, rpcOutcome } from "../../test-support/raw-rpc.js";

let gw: RunningGateway;
beforeAll(async () => {
  gw = await startGateway();
});
afterAll(async () => {
  await gw.stop();
});

const whoAmI = "/cyxwiz.data.v1.AuthService/WhoAmI";
const streamData = "/cyxwiz.data.v1.DataTransferService/StreamData";

describe("the RPC gate: no token, no body read", () => {
  it("refuses a call without a valid token in the shape of its protocol", async () => {
    const h2 = http2Session(gw.url);
    try {
      const cases: Array<[RpcProtocol, "1.1" | "2", string, Record<string, string>]> = [
        ["connect", "1.1", whoAmI, { "content-type": "application/proto" }],
        ["connect", "2", whoAmI, { "content-type": "application/json", authorization: "Bearer not-a-jwt" }],
        ["grpc", "2", whoAmI, { "content-type": "application/grpc", te: "trailers" }],
        ["grpc-web", "1.1", whoAmI, { "content-type": "application/grpc-web+proto" }],
        ["connect-stream", "2", streamData, { "content-type": "application/connect+proto" }],
        ["grpc", "2", streamData, { "content-type": "application/grpc", te: "trailers" }],
      ];
      for (const [protocol, http, path, headers] of cases) {
        const body = protocol === "connect" ? new Uint8Array(0) : envelope(0, new Uint8Array(0));
        const req = { path, headers, body };
        const res = http === "2" ? await h2.request(req) : await http1Request(gw.url, req);
        const got = rpcOutcome(protocol, res);
        expect(got.code, `${protocol}/${http} ${path}`).toBe("Unauthenticated");
        expect(got.message).toMatch(/sign in/);
        expect(res.status).toBe(protocol === "connect" ? 401 : 200);
      }
    } finally {
      h2.close();
    }
    // Stock clients read it: Connect and gRPC (a trailers-only answer on HTTP/2).
    for (const transport of ["connect", "grpc"] as const) {
      const e = await gw
        .clients("", transport)
        .auth.whoAmI({})
        .then(
          () => undefined,
          (x) => ConnectError.from(x),
        );
      expect(e?.code, transport).toBe(Code.Unauthenticated);
    }
    // Sign-in is public: a wrong password is its own answer, not the gate's.
    const login = await gw
      .clients("", "grpc")
      .auth.login({ username: "admin", password: "wrong" })
      .then(
        () => undefined,
        (x) => ConnectError.from(x),
      );
    expect(login?.rawMessage).toBe("unknown username or wrong password");
  });
});
