import { createContextKey } from "@connectrpc/connect";
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
