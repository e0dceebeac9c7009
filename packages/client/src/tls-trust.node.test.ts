import { X509Certificate } from "node:crypto";
import { bytesByteSource } from "@cyxwiz/protocol/chunk";
import { loadPrimitives } from "@cyxwiz/protocol/primitives";
import { afterEach, describe, expect, it } from "vitest";
import { type FakeGateway, startFakeGateway, TEST_TLS_A, TEST_TLS_B } from "../test-support/fake-gateway.js";
import { testBytes } from "../test-support/test-bytes.js";
import type { ClientError } from "./client-error.js";
import { downloadDataset } from "./download.js";
import { openFrameSocket } from "./frame-socket.js";
import {
  connectGateway,
  createUploadSession,
  nodeWebSocketWith,
  parsePinSha256,
  resolveTlsTrust,
  type TlsConnectOptions,
  toClientError,
} from "./index.node.js";

const primitives = await loadPrimitives();
const fingerprintA = new X509Certificate(TEST_TLS_A.cert).fingerprint256;
const fingerprintB = new X509Certificate(TEST_TLS_B.cert).fingerprint256;
let gateways: FakeGateway[] = [];
afterEach(async () => {
  await Promise.all(gateways.map((g) => g.close()));
  gateways = [];
});
async function fake(tls = TEST_TLS_A, port?: number) {
  const g = await startFakeGateway({ tls, ...(port === undefined ? {} : { port }) });
  gateways.push(g);
  return g;
}
const failure = async (p: Promise<unknown>) =>
  p.then(
    () => undefined,
    (e: unknown) => e as ClientError,
  );

/** Upload then download through the SDK with `tls` on both the Connect calls and the frames socket. */
async function roundTrip(g: FakeGateway, tls: TlsConnectOptions | undefined) {
  const clients = connectGateway({ baseUrl: g.url, token: g.token }, tls === undefined ? {} : { tls });
  const data = testBytes(20_000);
  const up = await createUploadSession({
    clients,
    createWebSocket: nodeWebSocketWith(tls),
    primitives,
    source: bytesByteSource(data),
    name: "over-tls",
    chunkSize: 4096,
    reconnect: { attempts: 0 },
  }).run();
  const parts: Uint8Array[] = [];
  await downloadDataset({ clients, primitives, ref: up.version.ref, sink: (b) => void parts.push(b.slice()) });
  expect(Buffer.concat(parts).equals(Buffer.from(data))).toBe(true);
  return up.version.ref;
}

describe("parsePinSha256", () => {
  it("takes the banner's colon form or bare hex in either case, and gives the banner's form", () => {
    expect(parsePinSha256(fingerprintA)).toBe(fingerprintA);
    expect(parsePinSha256(fingerprintA.replaceAll(":", "").toLowerCase())).toBe(fingerprintA);
    expect(parsePinSha256(` ${fingerprintA.toLowerCase()}\n`)).toBe(fingerprintA);
    for (const bad of ["", "AB:CD", fingerprintA.slice(3), `${fingerprintA}:00`, "zz".repeat(32)])
      expect(() => parsePinSha256(bad), bad).toThrow(/a SHA-256 pin is 64 hex digits/);
  });
});

describe("TLS trust against a gateway with a self-signed certificate", () => {
  it("changes nothing without a CA or a pin, and refuses either with a plaintext URL", async () => {
    expect(await resolveTlsTrust("https://127.0.0.1:1", {})).toBeUndefined();
    await expect(resolveTlsTrust("http://127.0.0.1:1", { pinSha256: fingerprintA })).rejects.toThrow(
      /needs an https:\/\/ gateway URL/,
    );
    await expect(resolveTlsTrust("http://127.0.0.1:1", { ca: TEST_TLS_A.cert })).rejects.toThrow(TypeError);
  });

  it("refuses the certificate by default (not from a system CA), as CYXW_CLIENT_TLS, on Connect and on the frames socket", async () => {
    const g = await fake();
    const clients = connectGateway({ baseUrl: g.url, token: g.token });
    const e = toClientError(await failure(clients.datasets.listDatasets({})), "ListDatasets");
    expect(e.code).toBe("CYXW_CLIENT_TLS");
    expect(e.message).toMatch(/self-signed certificate \[DEPTH_ZERO_SELF_SIGNED_CERT\]/);
    const ws = await failure(
      openFrameSocket({
        createWebSocket: nodeWebSocketWith(undefined),
        url: `${g.url.replace("https", "wss")}/x`,
        token: "a.b.c",
      }),
    );
    expect(ws).toMatchObject({ code: "CYXW_CLIENT_TLS" });
  });

  it("with a CA file: uploads and downloads over https and wss; another CA is refused", async () => {
    const g = await fake();
    expect(await roundTrip(g, await resolveTlsTrust(g.url, { ca: TEST_TLS_A.cert }))).toBe("over-tls@v1");
    const wrong = await resolveTlsTrust(g.url, { ca: TEST_TLS_B.cert });
    const clients = connectGateway({ baseUrl: g.url, token: g.token }, { tls: wrong! });
    expect(toClientError(await failure(clients.datasets.listDatasets({})), "ListDatasets").code).toBe(
      "CYXW_CLIENT_TLS",
    );
    const ws = await failure(
      openFrameSocket({
        createWebSocket: nodeWebSocketWith(wrong),
        url: `${g.url.replace("https", "wss")}/x`,
        token: "a.b.c",
      }),
    );
    expect(ws).toMatchObject({ code: "CYXW_CLIENT_TLS" });
  });

  it("with the certificate's pin: uploads and downloads; a wrong pin is refused before any request, naming both fingerprints", async () => {
    const g = await fake();
    expect(await roundTrip(g, await resolveTlsTrust(g.url, { pinSha256: fingerprintA.toLowerCase() }))).toBe(
      "over-tls@v1",
    );
    const callsBefore = g.calls.length;
    const e = await failure(resolveTlsTrust(g.url, { pinSha256: fingerprintB }));
    expect(e).toMatchObject({ name: "ClientError", code: "CYXW_CLIENT_TLS" });
    expect(e!.message).toBe(
      `the gateway at ${new URL(g.url).host} presented a certificate with SHA-256 ${fingerprintA}, but the pin (--pin-sha256) is ${fingerprintB}: ` +
        "refusing to connect (another server, a new certificate, or someone in between)",
    );
    expect(g.calls.length).toBe(callsBefore);
  });

  it("a pinned client checks every connection: a certificate swapped in after the pin was checked is refused", async () => {
    const a = await fake();
    // a CA file trusting both certificates, so only the pin tells them apart
    const tls = await resolveTlsTrust(a.url, { ca: TEST_TLS_A.cert + TEST_TLS_B.cert, pinSha256: fingerprintA });
    // (no request to A: a kept-alive connection to it would fail for another reason once it is gone)
    const port = Number(new URL(a.url).port);
    await a.close();
    gateways = [];
    const b = await fake(TEST_TLS_B, port);
    const clients = connectGateway({ baseUrl: b.url, token: b.token }, { tls: tls! });
    const e = toClientError(await failure(clients.datasets.listDatasets({})), "ListDatasets");
    expect(e.code).toBe("CYXW_CLIENT_TLS");
    expect(e.message).toContain(
      `presented a certificate with SHA-256 ${fingerprintB}, but the pin (--pin-sha256) is ${fingerprintA}`,
    );
    const ws = await failure(
      openFrameSocket({
        createWebSocket: nodeWebSocketWith(tls),
        url: `${b.url.replace("https", "wss")}/x`,
        token: "a.b.c",
      }),
    );
    expect(ws).toMatchObject({ code: "CYXW_CLIENT_TLS" });
    expect(ws!.message).toContain(fingerprintB);
    expect(b.calls).toEqual([]);
  });
});
