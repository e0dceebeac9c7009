import { type VerifiedToken, verifyToken } from "./session-tokens.js";

/** How long the revoked ids read from the store are trusted before they are read again. */
export const REVOCATION_CACHE_MS = 5_000;

/**
 * The one check every entry point applies to a bearer token (ARCHITECTURE §7): the auth
 * interceptor (RPCs), the frames WebSocket, the rate limiter's key and /metrics.
 */
export interface TokenVerifier {
  /**
   * Verifies signature, issuer, audience and expiry, then refuses a revoked id. Never throws: a
   * store that cannot be read gives `unavailable`.
   */
  verify(token: string | undefined): Promise<VerifiedToken>;
  /** Notes a revocation made by this gateway, so it takes effect here at once. */
  revoked(id: string): void;
}

/**
 * A token verifier over the store's revoked ids. They are read at most every `cacheMs` (other
 * gateway replicas' revocations take effect here within that time) and kept in memory: a check is
 * a set lookup, not a query per request. The set holds only revoked tokens that have not expired.
 */
export function createTokenVerifier(options: {
  readonly jwtKey: Uint8Array;
  /** The ids of revoked, unexpired tokens (store.apiTokens.revokedIds). */
  readonly revokedIds: () => Promise<string[]>;
  readonly cacheMs?: number;
  readonly onReadError?: (e: unknown) => void;
}): TokenVerifier {
  const cacheMs = options.cacheMs ?? REVOCATION_CACHE_MS;
  let revoked = new Set<string>();
  let readAt = Number.NEGATIVE_INFINITY;
  let reading: Promise<void> | undefined;
  const local = new Set<string>(); // revoked here since the last read, in case it began before

  const fresh = async (): Promise<void> => {
    if (Date.now() - readAt < cacheMs) return;
    reading ??= (async () => {
      try {
        const started = Date.now();
        const ids = await options.revokedIds();
        revoked = new Set(ids);
        for (const id of local) revoked.add(id);
        local.clear();
        readAt = started;
      } finally {
        reading = undefined;
      }
    })();
    await reading;
  };

  return {
    async verify(token) {
      const verified = await verifyToken(options.jwtKey, token);
      if (!verified.ok) return verified;
      try {
        await fresh();
      } catch (e) {
        options.onReadError?.(e);
        return { ok: false, reason: "unavailable" };
      }
      if (revoked.has(verified.tokenId)) return { ok: false, reason: "revoked" };
      return verified;
    },
    revoked(id) {
      revoked.add(id);
      local.add(id);
    },
  };
}
