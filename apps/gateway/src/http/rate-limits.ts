import { AuthService } from "@cyxwiz/protocol/gen";
import rateLimit from "@fastify/rate-limit";
import type { FastifyInstance, FastifyRequest } from "fastify";
import type { GatewayConfig } from "../config.js";
import { methodKey } from "../rpc/method-key.js";
import { clientAddress } from "./request-caller.js";

/**
 * Request budgets (ARCHITECTURE §7; issue 8, finding 4; docs/operations.md, "Limits and
 * quotas"). A request with a valid token, in the Authorization header or a WebSocket's
 * `bearer.<jwt>` subprotocol, counts against its user's budget wherever it comes from (a
 * worker's node token: against that worker's budget, of the same size); one
 * without counts against its address's separate, smaller budget, so that one address sending
 * junk cannot lock out the users behind it (behind a proxy, every user has the proxy's address).
 * Never limited: /healthz, the dashboard's files, and sign-in without a token, which has its own
 * budgets of failures per account and per address (auth/login-throttle.ts).
 *
 * Needs `req.caller` (http/request-caller.ts), registered before this.
 */

/** Routes nobody is ever limited on: health checks, the dashboard's pages and files. */
const UNLIMITED_ROUTES = new Set(["/healthz", "/", "/*"]);
const LOGIN_ROUTE = `/${methodKey(AuthService.method.login)}`;

export function userKey(username: string): string {
  return `user:${username}`;
}

/** A worker's budget: the same size as a person's, its own. */
export function nodeKey(nodeId: string): string {
  return `node:${nodeId}`;
}

/** The budget a request counts against: its user's, its worker's (node token), or its address's. */
export function rateLimitKey(req: FastifyRequest): string {
  const caller = req.caller;
  if (caller.kind === "user") return userKey(caller.principal.username);
  if (caller.kind === "node") return nodeKey(caller.node.nodeId);
  return `ip:${clientAddress(req)}`;
}

export async function registerRateLimits(
  app: FastifyInstance,
  config: Pick<GatewayConfig, "rateLimitPerMinute" | "rateLimitAnonPerMinute">,
): Promise<void> {
  await app.register(rateLimit, {
    timeWindow: "1 minute",
    max: (_req, key) =>
      key.startsWith("user:") || key.startsWith("node:") ? config.rateLimitPerMinute : config.rateLimitAnonPerMinute,
    keyGenerator: rateLimitKey,
    allowList: (req) => {
      const route = req.routeOptions.url ?? "";
      return UNLIMITED_ROUTES.has(route) || (route === LOGIN_ROUTE && req.caller.kind !== "user");
    },
    // A Connect-shaped error body, so Connect clients see RESOURCE_EXHAUSTED (HTTP 429 alone reads as UNAVAILABLE).
    errorResponseBuilder: (req, context) => ({
      statusCode: 429,
      code: "resource_exhausted",
      message: `rate limit: at most ${context.max} requests a minute ${req.caller.kind === "user" ? "per user" : req.caller.kind === "node" ? "per node" : "from one address without a token"}; retry in ${context.after}`,
    }),
  });
}
