import http from "node:http";
import http2 from "node:http2";
import https from "node:https";
import type { Socket } from "node:net";
import { Duplex } from "node:stream";
import type { TLSSocket } from "node:tls";

/** HTTP/2's connection preface starts with these bytes; no HTTP/1 request does. */
const H2_PREFACE_START = "PRI ";

/**
 * The client address of each HTTP/2 session handed over below: Node wraps the replaying duplex
 * in a socket of its own that knows no peer, so `req.socket.remoteAddress` (fastify's `req.ip`)
 * is undefined on those requests. Read it with {@link remoteAddress}.
 */
const sessionPeers = new WeakMap<http2.ServerHttp2Session, string>();

/** The address a request came from, on HTTP/1.1 and on the HTTP/2 sessions this server hands over. */
export function remoteAddress(req: http.IncomingMessage | http2.Http2ServerRequest): string | undefined {
  if ("stream" in req)
    return (
      sessionPeers.get(req.stream.session as http2.ServerHttp2Session) ?? req.stream.session?.socket?.remoteAddress
    );
  return req.socket.remoteAddress;
}

/**
 * One port for browsers and gRPC clients (ARCHITECTURE §2): an HTTP/1.1 server (browsers,
 * Connect, gRPC-Web, WebSocket upgrades) that hands connections opening with the HTTP/2 preface
 * (h2c with prior knowledge: stock gRPC clients such as `buf curl --protocol grpc`) to an HTTP/2
 * server sharing the same request handler. Node's plaintext HTTP/2 server cannot fall back to
 * HTTP/1.1 itself (`allowHTTP1` needs TLS), hence the sniffing of the first bytes.
 *
 * Use as fastify's `serverFactory`; the returned server is the HTTP/1.1 one, so fastify listens
 * and closes it as usual.
 */
export function createDualProtocolServer(handler: http.RequestListener): http.Server {
  const h1 = http.createServer(handler);
  // The same handler serves HTTP/2 through Node's compatibility API (req/res shaped like HTTP/1's).
  const h2 = http2.createServer(
    handler as unknown as (req: http2.Http2ServerRequest, res: http2.Http2ServerResponse) => void,
  );
  const h1Listeners = h1.listeners("connection") as Array<(socket: Socket) => void>;
  let handingOver: string | undefined;
  h1.removeAllListeners("connection");
  h1.on("connection", (socket: Socket) => {
    socket.once("data", (first: Buffer) => {
      socket.pause();
      if (first.subarray(0, 4).toString("latin1") === H2_PREFACE_START) {
        // http2 reads a native socket's handle directly, which would skip the bytes already read;
        // a JS duplex in front of the socket replays them first.
        const proxy = new Duplex({
          read: () => socket.resume(),
          write: (chunk, _enc, cb) => socket.write(chunk, cb),
          final: (cb) => {
            socket.end();
            cb();
          },
          destroy: (err, cb) => {
            socket.destroy(err ?? undefined);
            cb(err);
          },
        });
        proxy.push(first);
        socket.on("data", (d) => {
          if (!proxy.push(d)) socket.pause();
        });
        socket.on("end", () => proxy.push(null));
        socket.on("error", (e) => proxy.destroy(e));
        socket.on("close", () => proxy.destroy());
        handingOver = socket.remoteAddress;
        h2.emit("connection", proxy); // creates the session ("session" below) before it returns
        handingOver = undefined;
      } else {
        socket.unshift(first);
        for (const l of h1Listeners) l.call(h1, socket);
        socket.resume();
      }
    });
  });
  h2.on("session", (session) => {
    if (handingOver !== undefined) sessionPeers.set(session, handingOver);
  });
  closeSessionsWith(h1, h2);
  return h1;
}

/** What the TLS listener needs: PEM certificate (chain, leaf first) and private key. */
export interface TlsServerMaterial {
  readonly cert: string;
  readonly key: string;
}

/**
 * The same one port under TLS (docs/operations.md): an HTTPS server that accepts TLS 1.3 only
 * and offers ALPN `h2` and `http/1.1`. Each secure socket goes where its ALPN protocol says:
 * `h2` (gRPC, and any HTTP/2 client) to an HTTP/2 server sharing the handler, anything else to
 * the HTTPS server's own HTTP/1.1 handling (browsers' fetch, Connect, gRPC-Web, and `wss:`
 * WebSocket upgrades, whose `upgrade` events fastify's WebSocket plugin listens for on this
 * server). The plaintext server above sniffs the h2c preface instead; ALPN is the TLS way to the
 * same choice, made before the first byte of HTTP.
 *
 * `http2.createSecureServer({ allowHTTP1: true })` would also serve both (on Node 20 it does emit
 * `upgrade` for WebSockets), but fastify would then build on an HTTP/2 server, its types and
 * request objects with it; an https.Server is fastify's usual HTTP/1.1 server with TLS in front,
 * and HTTP/2 is handed off exactly as in plaintext, so the rest of the gateway sees no difference.
 *
 * Use as fastify's `serverFactory`. Typed as `http.Server` because fastify's default server
 * type is that: an `https.Server` is Node's `http.Server` machinery over TLS sockets (it has
 * every method fastify and @fastify/websocket call: listen, close, closeIdleConnections,
 * `request` and `upgrade` events).
 */
export function createSecureDualProtocolServer(
  handler: http.RequestListener,
  material: TlsServerMaterial,
): http.Server {
  const h1 = https.createServer(
    {
      cert: material.cert,
      key: material.key,
      // ARCHITECTURE §7: TLS 1.3 whenever the gateway is reachable beyond loopback.
      minVersion: "TLSv1.3",
      ALPNProtocols: ["h2", "http/1.1"],
    },
    handler,
  );
  const h2 = http2.createServer(
    handler as unknown as (req: http2.Http2ServerRequest, res: http2.Http2ServerResponse) => void,
  );
  const h1Listeners = h1.listeners("secureConnection") as Array<(socket: TLSSocket) => void>;
  h1.removeAllListeners("secureConnection");
  h1.on("secureConnection", (socket: TLSSocket) => {
    // http2's connection listener sets up a session for an `h2` TLS socket as its secure server
    // would (the same code path), reading the TLS socket's handle directly.
    if (socket.alpnProtocol === "h2") h2.emit("connection", socket);
    else for (const l of h1Listeners) l.call(h1, socket);
  });
  closeSessionsWith(h1, h2);
  return h1 as unknown as http.Server;
}

/**
 * HTTP/2 sessions ride on sockets the HTTP/1 server no longer tracks, so closing the server must
 * end them itself, or `close()` would wait for them forever.
 */
function closeSessionsWith(h1: http.Server | https.Server, h2: http2.Http2Server): void {
  const sessions = new Set<http2.ServerHttp2Session>();
  h2.on("session", (session) => {
    sessions.add(session);
    session.on("close", () => sessions.delete(session));
  });
  const closeH1 = h1.close.bind(h1);
  h1.close = ((callback?: (err?: Error) => void) => {
    for (const session of sessions) session.close();
    h2.close();
    return closeH1(callback);
  }) as typeof h1.close;
}
