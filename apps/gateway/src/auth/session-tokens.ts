import { errors, jwtVerify, SignJWT } from "jose";

/** Who a request comes from, once its token verified. */
export interface Principal {
  readonly username: string;
  readonly admin: boolean;
}

const ISSUER = "cyxwiz-gateway";
const AUDIENCE = "cyxwiz";

/** Issues a signed session or API token (HS256) for `principal`, valid for `hours`. */
export async function issueToken(
  key: Uint8Array,
  principal: Principal,
  hours: number,
): Promise<{ token: string; expiresAt: Date }> {
  const expiresAt = new Date(Date.now() + hours * 3600_000);
  const token = await new SignJWT({ adm: principal.admin })
    .setProtectedHeader({ alg: "HS256", typ: "JWT" })
    .setSubject(principal.username)
    .setIssuer(ISSUER)
    .setAudience(AUDIENCE)
    .setIssuedAt()
    .setExpirationTime(Math.floor(expiresAt.getTime() / 1000))
    .sign(key);
  return { token, expiresAt };
}

/** Why a token was refused, in words a person can act on. */
export type TokenRefusal = "missing" | "expired" | "invalid";

/** Verifies a token: signature, issuer, audience, expiry. Never throws for a bad token. */
export async function verifyToken(
  key: Uint8Array,
  token: string | undefined,
): Promise<{ ok: true; principal: Principal } | { ok: false; reason: TokenRefusal }> {
  if (token === undefined || token === "") return { ok: false, reason: "missing" };
  try {
    const { payload } = await jwtVerify(token, key, { issuer: ISSUER, audience: AUDIENCE, algorithms: ["HS256"] });
    if (typeof payload.sub !== "string" || payload.sub === "") return { ok: false, reason: "invalid" };
    return { ok: true, principal: { username: payload.sub, admin: payload.adm === true } };
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
  }
}
