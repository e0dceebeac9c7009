import type { FastifyInstance, FastifyRequest } from "fastify";
import { bearerFromHeaders } from "../auth/bearer-token.js";
import type { Principal, TokenRefusal } from "../auth/session-tokens.js";
import type { TokenVerifier } from "../auth/token-verifier.js";
import { remoteAddress } from "./dual-protocol-server.js";

/** Who sent a request, decided from its headers alone, before any body is read (ARCHITECTURE §7). */
export type RequestCaller =
  | { readonly kind: "user"; readonly principal: Principal }
  | { readonly kind: "anonymous"; readonly refusal: TokenRefusal };

declare module "fastify" {
  interface FastifyRequest {
    /** Set for every request by the first onRequest hook (registerRequestCaller). */
    caller: RequestCaller;
  }
}

/**
 * Verifies the token a request carries (Authorization header, or the WebSocket subprotocol
 * `bearer.<jwt>`) once, as the first thing done with it: the rate limits key on the result and the
 * RPC gate refuses on it, both before a byte of the body is read.
 */
export function registerRequestCaller(app: FastifyInstance, tokens: TokenVerifier): void {
  // Filled in by the hook below before anything reads it (fastify wants a reference-typed decoration to start null).
  app.decorateRequest("caller", null as never);
  app.addHook("onRequest", async (req: FastifyRequest) => {
    const token = bearerFromHeaders(req.headers);
    const verified = await tokens.verify(token); // signature, expiry and revocation
    req.caller = verified.ok
      ? { kind: "user", principal: verified.principal }
      : { kind: "anonymous", refusal: verified.reason };
  });
}

/**
 * The address a request came from: fastify's `req.ip`, which is undefined on the HTTP/2
 * connections the gateway's port hands over (gRPC), where the server recorded it instead.
 */
export function clientAddress(req: FastifyRequest): string {
  return req.ip ?? remoteAddress(req.raw) ?? "unknown";
}
