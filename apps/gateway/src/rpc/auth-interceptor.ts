import type { Interceptor } from "@connectrpc/connect";
import { accessRefusal, methodAccess } from "./method-access.js";
import { nodePrincipalKey, principalKey, requestCallerKey } from "./request-context.js";

/**
 * Authenticates every RPC (ARCHITECTURE §7) by who may call it (rpc/method-access.ts): the
 * caller the first hook verified from the request's headers (signature, expiry, revocation, a
 * node token's session; http/request-caller.ts) must be a person for people's methods and a
 * worker for workers'. The gate before the body (http/connect-gate.ts) refuses the others
 * already; this is the second line, reading the same verdict rather than verifying the token
 * again. A person is put in the context for the handlers (on a public method too: a person's
 * token on NodeService.Register makes them the node's operator), a worker on its methods. A
 * refusal answers UNAUTHENTICATED with a message saying what to do (UNAVAILABLE when tokens
 * cannot be checked right now).
 */
export function createAuthInterceptor(): Interceptor {
  return (next) => async (req) => {
    const access = methodAccess(`${req.service.typeName}/${req.method.name}`);
    const caller = req.contextValues.get(requestCallerKey);
    const refusal = accessRefusal(access, caller);
    if (refusal !== undefined) throw refusal;
    if (caller?.kind === "user") req.contextValues.set(principalKey, caller.principal);
    if (caller?.kind === "node" && access === "node") req.contextValues.set(nodePrincipalKey, caller.node);
    return next(req);
  };
}
