import type { Http2ServerRequest } from "node:http2";
import { Code, type ConnectError } from "@connectrpc/connect";
import { encodeEnvelope } from "@connectrpc/connect/protocol";
import {
  codeToHttpStatus,
  endStreamFlag,
  endStreamToJson,
  errorToJsonBytes,
} from "@connectrpc/connect/protocol-connect";
import type { FastifyBaseLogger, FastifyReply, FastifyRequest } from "fastify";
import type { GatewayMetrics } from "./gateway-metrics.js";

/**
 * Refusing an RPC before Connect handles it (no token, a body over its cap), in the shape each
 * of the three protocols on the gateway's port expects, so that every client reads the right
 * code: Connect unary an HTTP status and a JSON error; Connect streaming an end-stream message;
 * gRPC and gRPC-Web a "trailers-only" answer (grpc-status in the headers, no body).
 */

/** The protocol of an RPC request, from its content type (the Connect protocol by default). */
export type RpcProtocol = "connect" | "connect-stream" | "grpc" | "grpc-web";

export function rpcProtocolOf(contentType: string | null | undefined): RpcProtocol {
  const t = (contentType ?? "").toLowerCase();
  if (t.startsWith("application/grpc-web")) return "grpc-web";
  if (t.startsWith("application/grpc")) return "grpc";
  if (t.startsWith("application/connect+")) return "connect-stream";
  return "connect";
}

/** The status, headers and body that say `error` in `protocol`. */
export function refusalResponse(
  protocol: RpcProtocol,
  contentType: string | undefined,
  error: ConnectError,
  httpStatus?: number,
): { status: number; headers: Record<string, string>; body: Uint8Array } {
  const meta: Record<string, string> = {};
  error.metadata.forEach((v, k) => {
    meta[k] = v;
  });
  switch (protocol) {
    case "connect":
      return {
        status: httpStatus ?? codeToHttpStatus(error.code),
        headers: { ...meta, "content-type": "application/json" },
        body: errorToJsonBytes(error, {}),
      };
    case "connect-stream": {
      const end = endStreamToJson(new Headers(), error, {});
      return {
        status: 200,
        headers: { ...meta, "content-type": contentType ?? "application/connect+proto" },
        body: encodeEnvelope(endStreamFlag, new TextEncoder().encode(JSON.stringify(end))),
      };
    }
    case "grpc":
    case "grpc-web":
      return {
        status: 200,
        headers: {
          ...meta,
          "content-type": contentType ?? `application/${protocol}+proto`,
          "grpc-status": String(error.code),
          "grpc-message": encodeURIComponent(error.rawMessage),
        },
        body: new Uint8Array(0),
      };
  }
}

/**
 * Answers `req` with `error` and ends fastify's handling of it (the reply is hijacked: nothing
 * after this hook runs). On HTTP/2 a trailers-only answer is one HEADERS frame that ends the
 * stream, as gRPC requires.
 */
export function sendRpcRefusal(req: FastifyRequest, reply: FastifyReply, error: ConnectError, httpStatus?: number) {
  const contentType = req.headers["content-type"];
  const r = refusalResponse(rpcProtocolOf(contentType), contentType, error, httpStatus);
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(reply.getHeaders())) if (v !== undefined) headers[k] = String(v);
  Object.assign(headers, r.headers);
  reply.hijack();
  const raw = req.raw as typeof req.raw | Http2ServerRequest;
  if ("stream" in raw && r.body.byteLength === 0) {
    raw.stream.respond({ ":status": r.status, ...headers }, { endStream: true });
    return;
  }
  reply.raw.writeHead(r.status, { ...headers, "content-length": String(r.body.byteLength) });
  reply.raw.end(r.body);
}

/** Logs a refused RPC at info level (the caller's mistake, not the gateway's) and counts it. */
export function reportRefusal(
  log: FastifyBaseLogger,
  metrics: Pick<GatewayMetrics, "rpcErrors">,
  method: string,
  error: ConnectError,
  ip?: string,
): void {
  metrics.rpcErrors.inc({ code: Code[error.code] ?? String(error.code) });
  log.info({ code: Code[error.code], method, message: error.rawMessage, ip }, "rpc refused");
}
