import type { FastifyInstance, FastifyRequest } from "fastify";
import { bearerFromHeaders } from "../auth/bearer-token.js";
import { claimsNodeAudience, type NodeTokenVerifier } from "../auth/node-tokens.js";
import { type Principal, refusalMessage, type TokenRefusal } from "../auth/session-tokens.js";
import type { TokenVerifier } from "../auth/token-verifier.js";
import type { NodePrincipal } from "../rpc/request-context.js";
import { remoteAddress } from "./dual-protocol-server.js";

/**
 * Who sent a request, decided from its headers alone, before any body is read (ARCHITECTURE §7):
 * a person (session or API token), a worker (node token; docs/compute.md "Node tokens"), or
 * nobody known, with why the token it carried (if any) was refused.
 */
export type RequestCaller =
  | { readonly kind: "user"; readonly principal: Principal }
  | { readonly kind: "node"; readonly node: NodePrincipal }
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
export function registerRequestCaller(
  app: FastifyInstance,
  tokens: TokenVerifier,
  nodeTokens: NodeTokenVerifier,
): void {
  // Filled in by the hook below before anything reads it (fastify wants a reference-typed decoration to start null).
  app.decorateRequest("caller", null as never);
  app.addHook("onRequest", async (req: FastifyRequest) => {
    const token = bearerFromHeaders(req.headers);
    req.caller = await callerOf(token, tokens, nodeTokens);
  });
}

/** The caller a bearer token names: a node token goes to the node verifier, any other to the person's. */
async function callerOf(
  token: string | undefined,
  tokens: TokenVerifier,
  nodeTokens: NodeTokenVerifier,
): Promise<RequestCaller> {
  if (claimsNodeAudience(token)) {
    const verified = await nodeTokens.verify(token); // signature, expiry, current session
    return verified.ok ? { kind: "node", node: verified.node } : { kind: "anonymous", refusal: verified.reason };
  }
  const verified = await tokens.verify(token); // signature, expiry and revocation
  return verified.ok
    ? { kind: "user", principal: verified.principal }
    : { kind: "anonymous", refusal: verified.reason };
}

/** What a worker is told when its node token reaches anything but NodeService. */
export const NODE_TOKEN_ELSEWHERE =
  "a node token only works for NodeService: this needs a person's session or API token";

/**
 * Why a caller that is not a person is refused where a person is needed: the message, and
 * whether it is the gateway's fault (`unavailable`: tokens cannot be checked right now).
 */
export function notAPerson(caller: Exclude<RequestCaller, { kind: "user" }>): {
  message: string;
  unavailable: boolean;
} {
  if (caller.kind === "node") return { message: NODE_TOKEN_ELSEWHERE, unavailable: false };
  return { message: refusalMessage(caller.refusal), unavailable: caller.refusal === "unavailable" };
}

/**
 * The address a request came from: fastify's `req.ip`, which is undefined on the HTTP/2
 * connections the gateway's port hands over (gRPC), where the server recorded it instead.
 */
export function clientAddress(req: FastifyRequest): string {
  return req.ip ?? remoteAddress(req.raw) ?? "unknown";
}
