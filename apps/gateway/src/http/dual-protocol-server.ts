import http from "node:http";
import http2 from "node:http2";
import type { Socket } from "node:net";
import { Duplex } from "node:stream";

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
  if ("stream" in req) return sessionPeers.get(req.stream.session as http2.ServerHttp2Session);
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
  // HTTP/2 sessions ride on sockets the HTTP/1 server no longer tracks, so closing the server
  // must end them itself, or `close()` would wait for them forever.
  const sessions = new Set<http2.ServerHttp2Session>();
  h2.on("session", (session) => {
    if (handingOver !== undefined) sessionPeers.set(session, handingOver);
    sessions.add(session);
    session.on("close", () => sessions.delete(session));
  });
  const closeH1 = h1.close.bind(h1);
  h1.close = ((callback?: (err?: Error) => void) => {
    for (const session of sessions) session.close();
    h2.close();
    return closeH1(callback);
  }) as typeof h1.close;
  return h1;
}
