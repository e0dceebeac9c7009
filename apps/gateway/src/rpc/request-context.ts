import { Code, ConnectError, createContextKey, type HandlerContext } from "@connectrpc/connect";
import type { Principal } from "../auth/session-tokens.js";
import type { RequestCaller } from "../http/request-caller.js";

/** The authenticated caller of an RPC, set by the auth interceptor (undefined for Login). */
export const principalKey = createContextKey<Principal | undefined>(undefined, {
  description: "the authenticated caller",
});

/** The caller's address, for rate limits and the audit log. */
export const clientAddressKey = createContextKey<string>("unknown", { description: "the caller's IP address" });

/**
 * Who sent the request, as the first hook decided it from its headers (http/request-caller.ts):
 * the token is verified once per request, and the auth interceptor reads the verdict here.
 */
export const requestCallerKey = createContextKey<RequestCaller | undefined>(undefined, {
  description: "the caller as verified from the request's headers",
});

/** A worker of the compute plane, as its node token names it (docs/compute.md "Principals"). */
export interface NodePrincipal {
  /** nodeIdOf(its Ed25519 key): "node_" and 32 hex digits. */
  readonly nodeId: string;
  /** The registration the token was issued for (nodes.session): a token of an older one is refused. */
  readonly session: number;
}

/**
 * The worker calling a NodeService method that needs one (all but GetChallenge, Register and
 * ListNodes), set by the auth interceptor from a node token; undefined for people.
 */
export const nodePrincipalKey = createContextKey<NodePrincipal | undefined>(undefined, {
  description: "the authenticated worker",
});

/**
 * The worker calling a worker's method (nodePrincipalKey). The auth interceptor refuses any other
 * caller before a handler runs, so its absence is a wiring bug.
 * @throws ConnectError PERMISSION_DENIED when no worker is in the context.
 */
export function workerOf(ctx: HandlerContext): NodePrincipal {
  const node = ctx.values.get(nodePrincipalKey);
  if (node === undefined) throw new ConnectError("no authenticated worker", Code.PermissionDenied);
  return node;
}
