import { Code, ConnectError, type Interceptor } from "@connectrpc/connect";
import { AuthService } from "@cyxwiz/protocol/gen";
import { refusalMessage } from "../auth/session-tokens.js";
import { principalKey, requestCallerKey } from "./request-context.js";

/** Methods anyone may call: signing in, and learning what the gateway is. */
export const PUBLIC_METHODS: ReadonlySet<string> = new Set([`${AuthService.typeName}/Login`]);

/**
 * Authenticates every RPC (ARCHITECTURE §7) but Login: the caller the first hook verified from
 * the request's headers (signature, expiry, revocation; http/request-caller.ts) must be a user.
 * The gate before the body (http/connect-gate.ts) refuses the others already; this is the second
 * line, reading the same verdict rather than verifying the token again. The principal is put in
 * the context for the handlers. A refusal answers UNAUTHENTICATED with a message saying what to
 * do (UNAVAILABLE when revocations cannot be read).
 */
export function createAuthInterceptor(): Interceptor {
  return (next) => async (req) => {
    if (PUBLIC_METHODS.has(`${req.service.typeName}/${req.method.name}`)) return next(req);
    const caller = req.contextValues.get(requestCallerKey);
    if (caller?.kind !== "user") {
      const reason = caller?.refusal ?? "missing";
      throw new ConnectError(
        refusalMessage(reason),
        reason === "unavailable" ? Code.Unavailable : Code.Unauthenticated,
      );
    }
    req.contextValues.set(principalKey, caller.principal);
    return next(req);
  };
}
