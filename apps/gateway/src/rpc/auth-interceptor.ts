import { Code, ConnectError, type Interceptor } from "@connectrpc/connect";
import { AuthService } from "@cyxwiz/protocol/gen";
import { bearerFromAuthorization } from "../auth/bearer-token.js";
import { refusalMessage } from "../auth/session-tokens.js";
import type { TokenVerifier } from "../auth/token-verifier.js";
import { principalKey } from "./request-context.js";

/** Methods anyone may call: signing in, and learning what the gateway is. */
export const PUBLIC_METHODS: ReadonlySet<string> = new Set([`${AuthService.typeName}/Login`]);

/**
 * Authenticates every RPC (ARCHITECTURE §7): `Authorization: Bearer <jwt>` must verify and not be
 * revoked, except for Login. The principal is put in the context for the handlers. A refused
 * token answers UNAUTHENTICATED with a message saying what to do (UNAVAILABLE when revocations
 * cannot be read).
 */
export function createAuthInterceptor(tokens: TokenVerifier): Interceptor {
  return (next) => async (req) => {
    if (PUBLIC_METHODS.has(`${req.service.typeName}/${req.method.name}`)) return next(req);
    const verified = await tokens.verify(bearerFromAuthorization(req.header.get("authorization") ?? undefined));
    if (!verified.ok)
      throw new ConnectError(
        refusalMessage(verified.reason),
        verified.reason === "unavailable" ? Code.Unavailable : Code.Unauthenticated,
      );
    req.contextValues.set(principalKey, verified.principal);
    return next(req);
  };
}
