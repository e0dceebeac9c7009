import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { WebSocket, WebSocketServer } from "ws";
import { type FakeGateway, startFakeGateway } from "../test-support/fake-gateway.js";
import { closeError, framesUrl, openFrameSocket } from "./frame-socket.js";
import { nodeWebSocket } from "./index.node.js";

const cleanup: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanup.splice(0)) await c();
});

async function gatewayWith(): Promise<FakeGateway> {
  const g = await startFakeGateway();
  cleanup.push(() => g.close());
  return g;
}

/** A bare WebSocket server that answers every connection with `behave`. */
async function bareServer(
  handleProtocols: (p: Set<string>) => string | false,
  behave: (ws: import("ws").WebSocket) => void,
  perMessageDeflate = false,
) {
  const server = createServer();
  const wss = new WebSocketServer({ server, handleProtocols, perMessageDeflate });
  wss.on("connection", behave);
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  cleanup.push(async () => {
    for (const c of wss.clients) c.terminate();
    await new Promise((r) => server.close(r));
  });
  return `ws://127.0.0.1:${(server.address() as AddressInfo).port}/frames`;
}

describe("openFrameSocket", () => {
  it("offers the frames subprotocol and the bearer token; the gateway's policy close is reported with its reason", async () => {
    const g = await gatewayWith();
    const offered: string[][] = [];
    const socket = await openFrameSocket({
      createWebSocket: (url, protocols) => {
        offered.push(protocols);
        return nodeWebSocket(url, protocols);
      },
      url: framesUrl(g.url, "", "tr_unknown"),
      token: g.token,
    });
    expect(offered).toEqual([["cyxwiz.frames.v1", `bearer.${g.token}`]]);
    const closed = await socket.closed;
    expect(closed).toMatchObject({ code: 1008, reason: "CYXW_ERR_TRANSFER: no transfer tr_unknown" });
    expect(closeError(closed, "frames").code).toBe("CYXW_CLIENT_REFUSED");
    const messages = [];
    for await (const m of socket) messages.push(m);
    expect(messages).toEqual([]);
  });

  it("a bad token closes with CYXW_ERR_AUTH", async () => {
    const g = await gatewayWith();
    const socket = await openFrameSocket({
      createWebSocket: nodeWebSocket,
      url: framesUrl(g.url, "", "tr_1"),
      token: "bad.token.x",
    });
    expect(closeError(await socket.closed, "frames").code).toBe("CYXW_CLIENT_AUTH");
  });

  it("refuses a server that does not select cyxwiz.frames.v1", async () => {
    const url = await bareServer(
      () => false,
      () => {},
    );
    await expect(openFrameSocket({ createWebSocket: nodeWebSocket, url, token: "a.b.c" })).rejects.toMatchObject({
      code: "CYXW_CLIENT_PROTOCOL",
    });
  });

  it("closes on a message that is not a binary FrameStreamMessage and says so", async () => {
    const url = await bareServer(
      (p) => (p.has("cyxwiz.frames.v1") ? "cyxwiz.frames.v1" : false),
      (ws) => ws.send("hello"),
    );
    const socket = await openFrameSocket({ createWebSocket: nodeWebSocket, url, token: "a.b.c" });
    expect(await socket.closed).toMatchObject({ code: 1003, detail: expect.stringMatching(/text message/) });
    expect(socket.send(new Uint8Array(1))).toBe(false);
  });

  it("a gateway that is not listening is CYXW_CLIENT_UNREACHABLE", async () => {
    const url = await bareServer(
      () => false,
      () => {},
    );
    cleanup.splice(0).forEach((c) => void c());
    await new Promise((r) => setTimeout(r, 20));
    await expect(
      openFrameSocket({ createWebSocket: nodeWebSocket, url, token: "a.b.c", openTimeoutMs: 2000 }),
    ).rejects.toMatchObject({
      code: "CYXW_CLIENT_UNREACHABLE",
      message: expect.stringMatching(/closed before it opened \(code 1006.*ECONNREFUSED/),
    });
  });

  it("says whether send is done with a frame's bytes when it returns, so a sender may reuse its buffer", async () => {
    for (const deflate of [false, true]) {
      const received: Buffer[] = [];
      const url = await bareServer(
        () => "cyxwiz.frames.v1",
        (ws) => ws.on("message", (data: Buffer) => received.push(Buffer.from(data))),
        deflate,
      );
      const socket = await openFrameSocket({
        // nodeWebSocket never offers permessage-deflate; a client that does gets it from this server
        createWebSocket: deflate ? (u, p) => new WebSocket(u, p, { perMessageDeflate: true }) : nodeWebSocket,
        url,
        token: "a.b.c",
      });
      expect(socket.copiesOnSend).toBe(!deflate); // permessage-deflate may hold on to the bytes
      if (!deflate) {
        const buffer = new Uint8Array(64 * 1024).fill(1);
        socket.send(buffer);
        buffer.fill(2); // reused at once, as the upload session does
        socket.send(buffer);
        await new Promise((r) => setTimeout(r, 100));
        expect(received.map((b) => b[0])).toEqual([1, 2]);
        expect(received.every((b) => b.length === 64 * 1024 && b.every((x) => x === b[0]))).toBe(true);
      }
      socket.close();
      await socket.closed;
    }
  });
});
