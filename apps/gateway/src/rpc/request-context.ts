import { createContextKey } from "@connectrpc/connect";
import type { Principal } from "../auth/session-tokens.js";

/** The authenticated caller of an RPC, set by the auth interceptor (undefined for Login). */
export const principalKey = createContextKey<Principal | undefined>(undefined, {
  description: "the authenticated caller",
});

/** The caller's address, for rate limits and the audit log. */
export const clientAddressKey = createContextKey<string>("unknown", { description: "the caller's IP address" });
