import type { IncomingMessage, ServerResponse } from "node:http";
import type { Http2ServerRequest, Http2ServerResponse } from "node:http2";

/**
 * A request body as the RPC handlers read it, and what happens to the rest of it when a request is
 * answered before its body was read through (refused, or over its cap).
 */

type RawRequest = IncomingMessage | Http2ServerRequest;
type RawResponse = ServerResponse | Http2ServerResponse;

/**
 * After an early answer, at most this much more of the body is read (and dropped, never kept)
 * so the client, still sending, receives the answer instead of a reset connection; then the
 * connection is closed. Node would otherwise read the rest whatever its size.
 */
export const DRAIN_LIMITS = { bytes: 1024 * 1024, ms: 5000 } as const;

/**
 * Stops taking the body of a request that was (or is being) answered early. HTTP/1.1: up to
 * `DRAIN_LIMITS` more bytes are dropped, then the connection is closed if the body has still not
 * ended. HTTP/2: nothing more is read, so flow control stops the client once its stream window
 * is full (64 KiB); a client that has the whole answer resets its stream (gRPC clients do), and
 * the connection stays usable for its other streams.
 */
export function stopReadingBody(req: RawRequest, res: RawResponse, limits = DRAIN_LIMITS): void {
  if (req.complete || req.readableEnded || "stream" in req) return;
  const socket = req.socket;
  let dropped = 0;
  const close = () => {
    clearTimeout(timer);
    if (res.writableFinished) socket.destroy();
    else res.once("finish", () => socket.destroy());
  };
  const timer = setTimeout(close, limits.ms);
  timer.unref();
  req.on("data", (d: Uint8Array) => {
    dropped += d.byteLength;
    if (dropped > limits.bytes) close();
  });
  req.once("end", () => clearTimeout(timer));
  req.once("close", () => clearTimeout(timer));
  req.resume();
}

/**
 * The body as an async iterable for Connect, which reads it chunk by chunk and stops at the
 * method's cap. Unlike a stream's own iterator, stopping early does not destroy the request
 * (that would reset the connection before the answer is written): the rest is left to
 * {@link stopReadingBody}.
 */
export function requestBody(req: RawRequest, res: RawResponse): AsyncIterable<Uint8Array> {
  return {
    [Symbol.asyncIterator]() {
      const it = req.iterator({ destroyOnReturn: false });
      return {
        next: () => it.next() as Promise<IteratorResult<Uint8Array>>,
        return: async (value?: unknown) => {
          await it.return?.(value);
          stopReadingBody(req, res);
          return { done: true, value: undefined };
        },
        throw: async (e?: unknown) => {
          await it.return?.();
          stopReadingBody(req, res);
          throw e;
        },
      };
    },
  };
}
