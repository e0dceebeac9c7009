import { randomBytes } from "node:crypto";
import { connect as http2Connect } from "node:http2";
import { connect as tlsConnect } from "node:tls";
import { createClient } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { AckStatus, AuthService } from "@cyxwiz/protocol/gen";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  initiate,
  openFrames,
  packForUpload,
  type RunningGateway,
  startGateway,
} from "../../test-support/gateway-harness.js";

let gw: RunningGateway;
let ca: string;
let port: number;
beforeAll(async () => {
  gw = await startGateway({ CYXWIZ_TLS: "1" });
  ca = gw.gateway.tls!.cert;
  port = Number(new URL(gw.url).port);
});
afterAll(async () => {
  await gw.stop();
});

/** Opens a TLS connection as a client with `options` would, and reports what was negotiated or why it failed. */
function handshake(options: { maxVersion?: "TLSv1.2"; ALPNProtocols?: string[]; trusted?: boolean }) {
  return new Promise<{ protocol: string | null; alpn: string | false; fingerprint: string } | { error: string }>(
    (resolve) => {
      const { trusted = true, ...rest } = options;
      const socket = tlsConnect(
        { host: "127.0.0.1", port, servername: "localhost", ...(trusted ? { ca } : {}), ...rest },
        () => {
          resolve({
            protocol: socket.getProtocol(),
            alpn: socket.alpnProtocol ?? false,
            fingerprint: socket.getPeerX509Certificate()!.fingerprint256,
          });
          socket.end();
        },
      );
      socket.on("error", (e: NodeJS.ErrnoException) => resolve({ error: e.code ?? e.message }));
    },
  );
}

describe("the gateway over TLS (CYXWIZ_TLS=1, generated certificate) on one port", () => {
  it("negotiates TLS 1.3 with ALPN h2 or http/1.1, and refuses a client that stops at TLS 1.2", async () => {
    expect(gw.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    expect(await handshake({ ALPNProtocols: ["h2", "http/1.1"] })).toEqual({
      protocol: "TLSv1.3",
      alpn: "h2",
      fingerprint: gw.gateway.tls!.fingerprint256,
    });
    expect(await handshake({ ALPNProtocols: ["http/1.1"] })).toMatchObject({ protocol: "TLSv1.3", alpn: "http/1.1" });
    const old = await handshake({ maxVersion: "TLSv1.2" });
    expect(old).toHaveProperty("error");
    expect((old as { error: string }).error).toMatch(/ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION|PROTOCOL_VERSION/);
  });

  it("serves Connect over HTTPS and refuses a client that does not trust the certificate", async () => {
    const who = await gw.clients(gw.adminToken).auth.whoAmI({});
    expect(who).toMatchObject({ username: "admin", admin: true });
    expect(await handshake({ trusted: false })).toMatchObject({
      error: expect.stringMatching(/SELF_SIGNED|UNABLE_TO_VERIFY/),
    });
    // plaintext HTTP to the TLS port gets no answer from the API
    await expect(fetch(`http://127.0.0.1:${port}/healthz`)).rejects.toThrow();
  });

  it("serves gRPC over HTTP/2 with TLS on the same port", async () => {
    const grpc = createClient(
      AuthService,
      createGrpcTransport({
        baseUrl: gw.url,
        nodeOptions: { ca },
        interceptors: [
          (next) => (req) => {
            req.header.set("authorization", `Bearer ${gw.adminToken}`);
            return next(req);
          },
        ],
      }),
    );
    expect(await grpc.whoAmI({})).toMatchObject({ username: "admin" });
    // and it is HTTP/2 (not a fallback): a raw h2 session gets an answer
    const session = http2Connect(gw.url, { ca });
    const status = await new Promise<number>((resolve, reject) => {
      const req = session.request({ ":path": "/healthz" });
      let code = 0;
      req.on("response", (h) => {
        code = Number(h[":status"]);
      });
      req.resume(); // read the body, or the stream (and the session) would stay open
      req.on("end", () => resolve(code));
      req.on("error", reject);
      req.end();
    });
    session.close();
    expect(status).toBe(200);
  });

  it("takes a frames upload over WSS", async () => {
    const packed = await packForUpload(randomBytes(200_000), { chunkSize: 64 * 1024, name: "over-wss" });
    const admin = gw.clients(gw.adminToken);
    const { transferId } = await initiate(admin, packed);
    const socket = await openFrames(gw.url, transferId, gw.adminToken, ca);
    for (const f of packed.frames) socket.send(f);
    await socket.waitFor(packed.frames.length + 1);
    const acks = socket.messages.flatMap((m) => (m.kind.case === "ack" ? [AckStatus[m.kind.value.status]] : []));
    expect(acks).toEqual(Array(packed.frames.length).fill("ACK_OK"));
    socket.close();
    const { version } = await admin.datasets.commitUpload({ transferId, manifest: packed.manifest });
    expect(version?.ref).toBe("over-wss@v1");
    // without trusting the certificate the socket does not open
    await expect(openFrames(gw.url, transferId, gw.adminToken)).rejects.toThrow(/self-signed|certificate/i);
  });
});
