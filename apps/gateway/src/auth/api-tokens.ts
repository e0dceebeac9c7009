import type { ApiTokenRecord, MetadataStore } from "../store/index.js";
import { issueToken, newTokenId, type Principal } from "./session-tokens.js";

/** The longest an API token may live, in days. */
export const MAX_API_TOKEN_DAYS = 365;

/**
 * Issues an API token for `principal` and records it (store.apiTokens), so it can be listed and
 * revoked; audit-logs the creation. The token is returned to be shown once; only its id is kept.
 *
 * @throws StoreError `invalid_argument` (label), `not_found` (unknown user).
 */
export async function createApiToken(
  store: MetadataStore,
  jwtKey: Uint8Array,
  principal: Principal,
  options: { readonly label: string; readonly days: number; readonly actor: string },
): Promise<{ token: string; record: ApiTokenRecord }> {
  const { token, expiresAt, id } = await issueToken(jwtKey, principal, options.days * 24, newTokenId("api"));
  // Recorded before it is handed out: a token nobody can revoke never leaves the gateway.
  const record = await store.apiTokens.create({ id, owner: principal.username, label: options.label, expiresAt });
  await store.audit.append({
    actor: options.actor,
    action: "token.create",
    subject: `token:${id}`,
    detail: { owner: record.owner, label: record.label, expiresAt: record.expiresAt.toISOString() },
  });
  return { token, record };
}
