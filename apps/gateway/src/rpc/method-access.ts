import { Code, ConnectError } from "@connectrpc/connect";
import { AuthService, NodeService } from "@cyxwiz/protocol/gen";
import { refusalMessage } from "../auth/session-tokens.js";
import { notAPerson, type RequestCaller } from "../http/request-caller.js";
import { methodKey } from "./method-key.js";

/**
 * Who may call each RPC (ARCHITECTURE §7; docs/compute.md "Principals"), the one place the rule
 * lives: the gate before the body (http/connect-gate.ts) and the auth interceptor both read it.
 * - public: anyone, with or without a token (signing in; a worker's challenge and registration);
 * - node: a worker with its node token (NodeService, but for the public methods and ListNodes);
 * - person: a session or API token (everything else).
 */
export type MethodAccess = "public" | "node" | "person";

/** Methods anyone may call: signing in, and a worker's challenge and registration. */
export const PUBLIC_METHODS: ReadonlySet<string> = new Set([
  methodKey(AuthService.method.login),
  methodKey(NodeService.method.getChallenge),
  methodKey(NodeService.method.register),
]);

/** The NodeService methods for people rather than workers. */
const PERSON_NODE_METHODS: ReadonlySet<string> = new Set([methodKey(NodeService.method.listNodes)]);

/** What a person's token (or none) is told on a worker's method. */
export const WORKERS_ONLY = "this method is for workers: register with NodeService.Register and use its node token";

/** Who may call the RPC "package.Service/Method". */
export function methodAccess(key: string): MethodAccess {
  if (PUBLIC_METHODS.has(key)) return "public";
  if (key.startsWith(`${NodeService.typeName}/`) && !PERSON_NODE_METHODS.has(key)) return "node";
  return "person";
}

/**
 * Why `caller` may not call a method of `access`, as the error to answer (UNAUTHENTICATED, or
 * UNAVAILABLE when tokens cannot be checked right now); undefined when it may.
 */
export function accessRefusal(access: MethodAccess, caller: RequestCaller | undefined): ConnectError | undefined {
  const who: RequestCaller = caller ?? { kind: "anonymous", refusal: "missing" };
  switch (access) {
    case "public":
      return undefined;
    case "person": {
      if (who.kind === "user") return undefined;
      const { message, unavailable } = notAPerson(who);
      return new ConnectError(message, unavailable ? Code.Unavailable : Code.Unauthenticated);
    }
    case "node": {
      if (who.kind === "node") return undefined;
      if (who.kind === "anonymous" && (who.refusal === "unavailable" || who.refusal.startsWith("node_")))
        return new ConnectError(
          refusalMessage(who.refusal),
          who.refusal === "unavailable" ? Code.Unavailable : Code.Unauthenticated,
        );
      return new ConnectError(WORKERS_ONLY, Code.Unauthenticated);
    }
    default: {
      const never: never = access;
      throw new Error(`unknown method access ${String(never)}`);
    }
  }
}
