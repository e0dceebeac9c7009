import type { DescMethod, DescService } from "@bufbuild/protobuf";
import { Code, ConnectError } from "@connectrpc/connect";
import type { FastifyInstance, FastifyReply, FastifyRequest, RouteOptions } from "fastify";
import { accessRefusal, type MethodAccess } from "../rpc/method-access.js";
import { methodKey } from "../rpc/method-key.js";
import type { BodyCaps } from "./body-limits.js";
import { requestBody, stopReadingBody } from "./request-body.js";
import { sendRpcRefusal } from "./rpc-refusal.js";

/** A gRPC / gRPC-Web / Connect-streaming envelope's header: flags and length. */
const ENVELOPE_HEADER_BYTES = 5;

export interface ConnectGateOptions {
  /** The services the Connect plugin serves. */
  readonly services: readonly DescService[];
  /** Who may call the RPC "package.Service/Method" (rpc/method-access.ts). */
  access(methodKey: string): MethodAccess;
  readonly caps: BodyCaps;
  /** Logs and counts one refusal. */
  refused(method: DescMethod, error: ConnectError, req: FastifyRequest): void;
}

const asArray = <T>(v: T | T[] | undefined): T[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

/**
 * Guards every Connect route before its body is read (ARCHITECTURE §7; issue 8, finding 1): a
 * request whose caller may not call the method (rpc/method-access.ts: no valid token for a
 * person's method, no node token for a worker's) is refused UNAUTHENTICATED, and one
 * whose declared Content-Length exceeds the method's cap RESOURCE_EXHAUSTED (HTTP 413), both at
 * once; the body they carry is not kept (http/request-body.ts). A body without a declared length
 * is read by Connect, which stops at the cap (`readMaxBytes`, http/connect-routes.ts).
 *
 * Call before registering fastifyConnectPlugin: it adjusts the plugin's routes as they are added.
 * The caller is known by then (http/request-caller.ts), and the rate limits have run (onRequest).
 */
export function registerConnectGate(app: FastifyInstance, options: ConnectGateOptions): void {
  const byPath = new Map<string, DescMethod>();
  for (const s of options.services) for (const m of s.methods) byPath.set(`/${methodKey(m)}`, m);

  app.addHook("onRoute", (route: RouteOptions) => {
    const method = byPath.get(route.url);
    if (method === undefined) return;
    const cap = options.caps.capFor(method);
    const access = options.access(methodKey(method));
    // A unary request is one message: the whole body is at most the cap (and an envelope header).
    const declaredLimit = method.methodKind === "unary" ? cap + ENVELOPE_HEADER_BYTES : undefined;
    // For a body fastify itself would parse (a content type Connect does not speak).
    route.bodyLimit = cap + ENVELOPE_HEADER_BYTES;

    const refuse = (req: FastifyRequest, reply: FastifyReply, error: ConnectError, httpStatus?: number) => {
      options.refused(method, error, req);
      sendRpcRefusal(req, reply, error, httpStatus);
      stopReadingBody(req.raw, reply.raw);
    };
    route.preParsing = [
      ...asArray(route.preParsing),
      async (req: FastifyRequest, reply: FastifyReply, payload) => {
        const refusal = accessRefusal(access, req.caller);
        if (refusal !== undefined) {
          refuse(req, reply, refusal);
          return payload;
        }
        const declared = Number(req.headers["content-length"]);
        if (declaredLimit !== undefined && Number.isFinite(declared) && declared > declaredLimit) {
          const e = new ConnectError(
            `the request body is ${declared} bytes; ${method.name} takes at most ${cap}`,
            Code.ResourceExhausted,
          );
          refuse(req, reply, e, 413);
        }
        return payload;
      },
    ];
    // Connect reads the body from here: chunk by chunk, and stopping at the cap leaves the
    // connection able to carry the answer.
    route.preHandler = [
      ...asArray(route.preHandler),
      async (req: FastifyRequest, reply: FastifyReply) => {
        if (req.body === undefined) req.body = requestBody(req.raw, reply.raw);
      },
    ];
  });
}
