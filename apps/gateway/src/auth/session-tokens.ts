import { randomBytes } from "node:crypto";
import { errors, jwtVerify, SignJWT } from "jose";

/** Who a request comes from, once its token verified. */
export interface Principal {
  readonly username: string;
  readonly admin: boolean;
}

/** Who issues every token of this gateway, people's and workers' (auth/node-tokens.ts). */
export const ISSUER = "cyxwiz-gateway";
/** The audience of a person's token; a worker's node token has its own (auth/node-tokens.ts). */
const AUDIENCE = "cyxwiz";

/**
 * A new token id (the JWT's `jti`): "tok_…" for an API token, recorded so it can be revoked;
 * "ses_…" for a sign-in token.
 */
export function newTokenId(kind: "api" | "session"): string {
  return `${kind === "api" ? "tok" : "ses"}_${randomBytes(16).toString("base64url")}`;
}

/**
 * Issues a signed session or API token (HS256) for `principal`, valid for `hours`, with id `id`
 * (its `jti` claim, by which it can be revoked).
 */
export async function issueToken(
  key: Uint8Array,
  principal: Principal,
  hours: number,
  id: string = newTokenId("session"),
): Promise<{ token: string; expiresAt: Date; id: string }> {
  const expiresAt = new Date(Date.now() + hours * 3600_000);
  const token = await new SignJWT({ adm: principal.admin })
    .setProtectedHeader({ alg: "HS256", typ: "JWT" })
    .setSubject(principal.username)
    .setIssuer(ISSUER)
    .setAudience(AUDIENCE)
    .setJti(id)
    .setIssuedAt()
    .setExpirationTime(Math.floor(expiresAt.getTime() / 1000))
    .sign(key);
  return { token, expiresAt, id };
}

/**
 * Why a token was refused, in words a person can act on; the `node_` ones are a worker's node
 * token's (auth/node-tokens.ts).
 */
export type TokenRefusal =
  | "missing"
  | "expired"
  | "invalid"
  | "revoked"
  | "unavailable"
  | "node_expired"
  | "node_superseded"
  | "node_lost"
  | "node_left";

/** A verified token: who presented it, and its id. */
export type VerifiedToken = { ok: true; principal: Principal; tokenId: string } | { ok: false; reason: TokenRefusal };

/**
 * Verifies a token's signature, issuer, audience and expiry; never throws for a bad token. A
 * token without an id (issued before tokens could be revoked) is refused as invalid. Whether the
 * id was revoked is the caller's to check: use the gateway's token verifier
 * (auth/token-verifier.ts), which does both.
 */
export async function verifyToken(key: Uint8Array, token: string | undefined): Promise<VerifiedToken> {
  if (token === undefined || token === "") return { ok: false, reason: "missing" };
  try {
    const { payload } = await jwtVerify(token, key, { issuer: ISSUER, audience: AUDIENCE, algorithms: ["HS256"] });
    if (typeof payload.sub !== "string" || payload.sub === "") return { ok: false, reason: "invalid" };
    if (typeof payload.jti !== "string" || payload.jti === "") return { ok: false, reason: "invalid" };
    return { ok: true, principal: { username: payload.sub, admin: payload.adm === true }, tokenId: payload.jti };
  } catch (e) {
    return { ok: false, reason: e instanceof errors.JWTExpired ? "expired" : "invalid" };
  }
}

/** The message a client sees for a refused token. */
export function refusalMessage(reason: TokenRefusal): string {
  switch (reason) {
    case "missing":
      return "sign in first: this request carries no token (Authorization: Bearer <token>)";
    case "expired":
      return "the token has expired: sign in again";
    case "invalid":
      return "the token is not valid for this gateway: sign in again";
    case "revoked":
      return "the token has been revoked: sign in again or use another token";
    case "unavailable":
      return "the gateway cannot check tokens right now: retry later";
    case "node_expired":
      return "the node token has expired: register again (NodeService.GetChallenge, then Register)";
    case "node_superseded":
      return "the node token is from an older registration: the node registered again since; use the token its latest Register answered";
    case "node_lost":
      return "the node was marked lost (no heartbeat within its lease): register again";
    case "node_left":
      return "the node has left: register again to rejoin";
  }
}
