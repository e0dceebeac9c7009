import { Code, ConnectError, type Interceptor } from "@connectrpc/connect";
import { AuthService } from "@cyxwiz/protocol/gen";
import { refusalMessage, verifyToken } from "../auth/session-tokens.js";
import { principalKey } from "./request-context.js";

/** Methods anyone may call: signing in, and learning what the gateway is. */
export const PUBLIC_METHODS: ReadonlySet<string> = new Set([`${AuthService.typeName}/Login`]);

/**
 * Authenticates every RPC (ARCHITECTURE §7): `Authorization: Bearer <jwt>` must verify, except for
 * Login. The principal is put in the context for the handlers. A refused token answers
 * UNAUTHENTICATED with a message saying what to do.
 */
export function createAuthInterceptor(jwtKey: Uint8Array): Interceptor {
  return (next) => async (req) => {
    if (PUBLIC_METHODS.has(`${req.service.typeName}/${req.method.name}`)) return next(req);
    const header = req.header.get("authorization") ?? "";
    const token = /^Bearer\s+(.+)$/i.exec(header)?.[1];
    const verified = await verifyToken(jwtKey, token);
    if (!verified.ok) throw new ConnectError(refusalMessage(verified.reason), Code.Unauthenticated);
    req.contextValues.set(principalKey, verified.principal);
    return next(req);
  };
}
