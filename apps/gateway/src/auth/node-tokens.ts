import { decodeJwt, errors, jwtVerify, SignJWT } from "jose";
import type { NodePrincipal } from "../rpc/request-context.js";
import { ISSUER, type TokenRefusal } from "./session-tokens.js";

/**
 * A worker's node token (docs/compute.md "Node tokens"): a short-lived JWT signed with the
 * gateway's key like a person's token, but with its own audience and type, so neither is ever
 * taken for the other. Its claims name the node (`sub`) and the registration it was issued for
 * (`ses`, nodes.session): a node that registers again gets a new session, and the older token
 * stops working.
 */

/** The audience of a node token (a person's token has "cyxwiz"). */
export const NODE_TOKEN_AUDIENCE = "cyxwiz-node";
/** The JWT header's `typ` of a node token. */
export const NODE_TOKEN_TYPE = "cyxwiz-node+jwt";

const nodeIdPattern = /^node_[0-9a-f]{32}$/;

/** Issues a node token for registration `node.session` of `node.nodeId`, valid for `minutes`. */
export async function issueNodeToken(
  key: Uint8Array,
  node: NodePrincipal,
  minutes: number,
): Promise<{ token: string; expiresAt: Date }> {
  const expiresAt = new Date(Date.now() + minutes * 60_000);
  const token = await new SignJWT({ ses: node.session })
    .setProtectedHeader({ alg: "HS256", typ: NODE_TOKEN_TYPE })
    .setSubject(node.nodeId)
    .setIssuer(ISSUER)
    .setAudience(NODE_TOKEN_AUDIENCE)
    .setIssuedAt()
    .setExpirationTime(Math.floor(expiresAt.getTime() / 1000))
    .sign(key);
  return { token, expiresAt };
}

/** A verified node token, or why it was refused. */
export type VerifiedNodeToken = { ok: true; node: NodePrincipal } | { ok: false; reason: TokenRefusal };

/**
 * Whether `token` claims to be a node token (its audience, read without verifying): only to
 * choose which verifier checks it; each verifier checks the audience itself.
 */
export function claimsNodeAudience(token: string | undefined): boolean {
  if (token === undefined || token === "") return false;
  try {
    const { aud } = decodeJwt(token);
    return aud === NODE_TOKEN_AUDIENCE || (Array.isArray(aud) && aud.includes(NODE_TOKEN_AUDIENCE));
  } catch {
    return false;
  }
}

/**
 * Verifies a node token's signature, issuer, audience, type and expiry, and the shape of its
 * claims; never throws for a bad token. Whether its session is the node's current one is the
 * caller's to check: use {@link createNodeTokenVerifier}.
 */
export async function verifyNodeToken(key: Uint8Array, token: string | undefined): Promise<VerifiedNodeToken> {
  if (token === undefined || token === "") return { ok: false, reason: "missing" };
  try {
    const { payload } = await jwtVerify(token, key, {
      issuer: ISSUER,
      audience: NODE_TOKEN_AUDIENCE,
      typ: NODE_TOKEN_TYPE,
      algorithms: ["HS256"],
    });
    const session = payload.ses;
    if (typeof payload.sub !== "string" || !nodeIdPattern.test(payload.sub)) return { ok: false, reason: "invalid" };
    if (typeof session !== "number" || !Number.isInteger(session) || session < 1)
      return { ok: false, reason: "invalid" };
    return { ok: true, node: { nodeId: payload.sub, session } };
  } catch (e) {
    return { ok: false, reason: e instanceof errors.JWTExpired ? "node_expired" : "invalid" };
  }
}

/** Checks a node token, its session included: the request-caller hook's (http/request-caller.ts). */
export interface NodeTokenVerifier {
  /** Never throws: a store that cannot be read gives `unavailable`. */
  verify(token: string | undefined): Promise<VerifiedNodeToken>;
}

/**
 * A node token verifier that also refuses the token of an older registration (`node_superseded`)
 * and of a node that was marked lost or left (`node_lost`, `node_left`: it must register
 * again), reading the node's current session and state with `currentNode` (store.nodes.get).
 */
export function createNodeTokenVerifier(options: {
  readonly jwtKey: Uint8Array;
  readonly currentNode: (nodeId: string) => Promise<{ session: number; state: string } | undefined>;
  readonly onReadError?: (e: unknown) => void;
}): NodeTokenVerifier {
  return {
    async verify(token) {
      const verified = await verifyNodeToken(options.jwtKey, token);
      if (!verified.ok) return verified;
      let current: { session: number; state: string } | undefined;
      try {
        current = await options.currentNode(verified.node.nodeId);
      } catch (e) {
        options.onReadError?.(e);
        return { ok: false, reason: "unavailable" };
      }
      if (current === undefined) return { ok: false, reason: "invalid" };
      if (current.session !== verified.node.session) return { ok: false, reason: "node_superseded" };
      if (current.state === "lost") return { ok: false, reason: "node_lost" };
      if (current.state === "left") return { ok: false, reason: "node_left" };
      return verified;
    },
  };
}
